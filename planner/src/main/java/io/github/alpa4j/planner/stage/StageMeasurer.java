package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.plan.IntraOpPlan;

/**
 * Alpa's stage profiling: runs a candidate stage (a range of layers planned on a logical mesh) on the
 * devices and reports what it took, for the stage DP to use instead of the analytic cost. The planner
 * runs nothing itself; the engine measures.
 */
@FunctionalInterface
public interface StageMeasurer {
    /**
     * Forward and backward seconds per microbatch, update seconds per iteration and peak bytes per device
     * of {@code plan} (the plan of a candidate stage's graph on its logical mesh). {@code analytic} is the
     * cost model's estimate of it, for what the measurement does not observe (the activation bytes a
     * further microbatch in flight adds).
     */
    StageCost measure(IntraOpPlan plan, StageCost analytic);
}
