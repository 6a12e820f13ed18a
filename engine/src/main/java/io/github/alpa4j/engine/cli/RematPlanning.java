package io.github.alpa4j.engine.cli;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.stage.NamedLayers;
import io.github.alpa4j.planner.stage.RematMode;

/**
 * {@code --remat} for one intra-op plan (a pipeline's stage DP decides per stage itself): the training
 * step with its named layers recomputed, always ({@code layers}) or ({@code auto}) only when the plan of
 * the step without recomputation does not fit the memory budget (or the device's memory).
 */
final class RematPlanning {
    private RematPlanning() {
    }

    /** The step a single device runs: recomputed for {@code layers}; without a plan there is nothing to fit ({@code auto}). */
    static Graph oneDevice(Graph step, RematMode remat) {
        return remat == RematMode.LAYERS ? NamedLayers.recomputed(step) : step;
    }

    static IntraOpPlan plan(Graph step, DeviceMesh mesh, PlannerOptions options, PlanMethod method, RematMode remat) {
        return switch (remat) {
            case NONE -> method.plan(step, mesh, options);
            case LAYERS -> method.plan(NamedLayers.recomputed(step), mesh, options);
            case AUTO -> {
                long budget = options.memoryBudgetBytes().orElse(mesh.gpu().memoryBytes());
                try {
                    IntraOpPlan p = method.plan(step, mesh, options);
                    if (p.workingMemoryBytes() <= budget) {
                        yield p;
                    }
                } catch (PlanningException e) {
                    // does not fit: recompute
                }
                yield method.plan(NamedLayers.recomputed(step), mesh, options);
            }
        };
    }
}
