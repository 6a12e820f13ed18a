package io.github.alpa4j.planner;

import java.util.OptionalLong;

/**
 * Every knob of the intra-operator planner, with its default in {@link #defaults()} (as Alpa's
 * AutoShardingOption).
 *
 * @param zeroComputeCost   Alpa's convention: compute is free and fully replicated matmuls are forbidden; else FLOPs over peak
 * @param reduceScatter     a partial result may end in a reduce-scatter onto one dimension, not only in an all-reduce
 * @param followerMerging   element-wise and other follower nodes share their leader's ILP variable (REFERENCES §1)
 * @param tieRepeatedLayers the same op in each repeated layer (equal RepeatedRoles colours) takes the same strategy
 * @param eliminate         exactly eliminate ILP variables with at most two neighbours before CP-SAT (skipped under a memory budget)
 * @param memoryBudgetBytes per-device memory limit at every liveness step; empty for none
 * @param timeLimitSeconds  CP-SAT wall-clock limit; the best plan found by then is returned as FEASIBLE
 * @param solverWorkers     CP-SAT search workers (1 is deterministic, and was the fastest measured on 2 cores); 0 for one per core
 * @param warmStart         hint CP-SAT with the greedy plan (or the plan given to the planner)
 * @param iterationWeight   weight in the objective of what runs once per iteration (the optimizer update, the collectives that
 *                          yield a parameter's gradient): 1 for one step, 1/B when a pipeline sums gradients over B microbatches
 * @param linearRelaxation  solve the LP relaxation (GLOP) first; when it is integral it is the optimum and CP-SAT is skipped
 */
public record PlannerOptions(boolean zeroComputeCost, boolean reduceScatter, boolean followerMerging,
                             boolean tieRepeatedLayers, boolean eliminate,
                             OptionalLong memoryBudgetBytes, double timeLimitSeconds, int solverWorkers, boolean warmStart,
                             double iterationWeight, boolean linearRelaxation) {
    public PlannerOptions {
        if (!(timeLimitSeconds > 0)) {
            throw new PlanningException("the solver time limit must be positive, got " + timeLimitSeconds + " s");
        }
        if (solverWorkers < 0) {
            throw new IllegalArgumentException("solver workers must be >= 0, got " + solverWorkers);
        }
        if (memoryBudgetBytes.isPresent() && memoryBudgetBytes.getAsLong() <= 0) {
            throw new PlanningException("the memory budget must be positive, got " + memoryBudgetBytes.getAsLong() + " bytes");
        }
        if (!(iterationWeight > 0) || iterationWeight > 1) {
            throw new IllegalArgumentException("the iteration weight must be in (0, 1], got " + iterationWeight);
        }
    }

    public static PlannerOptions defaults() {
        return new PlannerOptions(false, true, true, true, true, OptionalLong.empty(), 60.0, 1, true, 1.0, true);
    }

    public PlannerOptions withZeroComputeCost(boolean v) {
        return new PlannerOptions(v, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withReduceScatter(boolean v) {
        return new PlannerOptions(zeroComputeCost, v, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withFollowerMerging(boolean v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, v, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withTieRepeatedLayers(boolean v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, v, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withEliminate(boolean v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, v, memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withMemoryBudgetBytes(long bytes) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                OptionalLong.of(bytes), timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    /** A budget in GiB (2^30 bytes), as {@code --memory-budget} takes it. */
    public PlannerOptions withMemoryBudgetGiB(double gib) {
        if (!(gib > 0) || Double.isInfinite(gib)) {
            throw new PlanningException("--memory-budget must be a positive number of GiB, got " + gib);
        }
        return withMemoryBudgetBytes((long) Math.floor(gib * (1L << 30)));
    }

    public PlannerOptions withTimeLimitSeconds(double v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, v, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withSolverWorkers(int v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, v, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withIterationWeight(double v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, v, linearRelaxation);
    }

    /** These options without a memory budget. */
    public PlannerOptions withoutMemoryBudget() {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                OptionalLong.empty(), timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
    }

    public PlannerOptions withLinearRelaxation(boolean v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, v);
    }

    public PlannerOptions withWarmStart(boolean v) {
        return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                memoryBudgetBytes, timeLimitSeconds, solverWorkers, v, iterationWeight, linearRelaxation);
    }
}
