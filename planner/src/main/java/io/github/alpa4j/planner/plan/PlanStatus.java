package io.github.alpa4j.planner.plan;

/** How a plan was obtained. */
public enum PlanStatus {
    /** The ILP's proven optimum. */
    OPTIMAL,
    /** The best ILP solution found within the time limit. */
    FEASIBLE,
    /** A hand-written plan (data parallel, Megatron), costed by the same model. */
    MANUAL
}
