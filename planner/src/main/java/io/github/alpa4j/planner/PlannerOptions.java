package io.github.alpa4j.planner;

import java.util.OptionalLong;

/**
 * Every knob of the intra-operator planner, each with its default on one line of {@link Builder} (as
 * Alpa's AutoShardingOption). Build with {@code PlannerOptions.builder()...build()}, or change a few
 * knobs of existing options with {@link #toBuilder()}.
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

    /** Every knob at its default. */
    public static PlannerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change a few knobs. */
    public Builder toBuilder() {
        return builder().zeroComputeCost(zeroComputeCost).reduceScatter(reduceScatter).followerMerging(followerMerging)
                .tieRepeatedLayers(tieRepeatedLayers).eliminate(eliminate).memoryBudgetBytes(memoryBudgetBytes)
                .timeLimitSeconds(timeLimitSeconds).solverWorkers(solverWorkers).warmStart(warmStart)
                .iterationWeight(iterationWeight).linearRelaxation(linearRelaxation);
    }

    /** The knobs and their defaults, one line each; {@link #build()} checks them. */
    public static final class Builder {
        private boolean zeroComputeCost = false;                        // compute costs FLOPs over peak (Alpa's convention: free)
        private boolean reduceScatter = true;                           // partial results may end in a reduce-scatter
        private boolean followerMerging = true;                         // followers share their leader's ILP variable
        private boolean tieRepeatedLayers = true;                       // repeated layers take the same strategies
        private boolean eliminate = true;                               // eliminate degree-≤2 ILP variables before CP-SAT
        private OptionalLong memoryBudgetBytes = OptionalLong.empty();  // no per-device memory limit
        private double timeLimitSeconds = 60.0;                         // CP-SAT wall-clock limit
        private int solverWorkers = 1;                                  // one CP-SAT worker: deterministic, fastest on 2 cores
        private boolean warmStart = true;                               // hint CP-SAT with the greedy plan
        private double iterationWeight = 1.0;                           // once-per-iteration costs count fully (one microbatch)
        private boolean linearRelaxation = true;                        // try the LP relaxation before CP-SAT

        private Builder() {
        }

        public Builder zeroComputeCost(boolean v) {
            zeroComputeCost = v;
            return this;
        }

        public Builder reduceScatter(boolean v) {
            reduceScatter = v;
            return this;
        }

        public Builder followerMerging(boolean v) {
            followerMerging = v;
            return this;
        }

        public Builder tieRepeatedLayers(boolean v) {
            tieRepeatedLayers = v;
            return this;
        }

        public Builder eliminate(boolean v) {
            eliminate = v;
            return this;
        }

        public Builder memoryBudgetBytes(OptionalLong v) {
            memoryBudgetBytes = v;
            return this;
        }

        public Builder memoryBudgetBytes(long v) {
            return memoryBudgetBytes(OptionalLong.of(v));
        }

        public Builder timeLimitSeconds(double v) {
            timeLimitSeconds = v;
            return this;
        }

        public Builder solverWorkers(int v) {
            solverWorkers = v;
            return this;
        }

        public Builder warmStart(boolean v) {
            warmStart = v;
            return this;
        }

        public Builder iterationWeight(double v) {
            iterationWeight = v;
            return this;
        }

        public Builder linearRelaxation(boolean v) {
            linearRelaxation = v;
            return this;
        }

        public PlannerOptions build() {
            return new PlannerOptions(zeroComputeCost, reduceScatter, followerMerging, tieRepeatedLayers, eliminate,
                    memoryBudgetBytes, timeLimitSeconds, solverWorkers, warmStart, iterationWeight, linearRelaxation);
        }
    }

    // Shorthands for the knobs callers change one at a time.

    public PlannerOptions withZeroComputeCost(boolean v) {
        return toBuilder().zeroComputeCost(v).build();
    }

    public PlannerOptions withReduceScatter(boolean v) {
        return toBuilder().reduceScatter(v).build();
    }

    public PlannerOptions withFollowerMerging(boolean v) {
        return toBuilder().followerMerging(v).build();
    }

    public PlannerOptions withTieRepeatedLayers(boolean v) {
        return toBuilder().tieRepeatedLayers(v).build();
    }

    public PlannerOptions withEliminate(boolean v) {
        return toBuilder().eliminate(v).build();
    }

    public PlannerOptions withMemoryBudgetBytes(long bytes) {
        return toBuilder().memoryBudgetBytes(bytes).build();
    }

    /** A budget in GiB (2^30 bytes), as {@code --memory-budget} takes it. */
    public PlannerOptions withMemoryBudgetGiB(double gib) {
        if (!(gib > 0) || Double.isInfinite(gib)) {
            throw new PlanningException("--memory-budget must be a positive number of GiB, got " + gib);
        }
        return withMemoryBudgetBytes((long) Math.floor(gib * (1L << 30)));
    }

    /** These options without a memory budget. */
    public PlannerOptions withoutMemoryBudget() {
        return toBuilder().memoryBudgetBytes(OptionalLong.empty()).build();
    }

    public PlannerOptions withTimeLimitSeconds(double v) {
        return toBuilder().timeLimitSeconds(v).build();
    }

    public PlannerOptions withIterationWeight(double v) {
        return toBuilder().iterationWeight(v).build();
    }
}
