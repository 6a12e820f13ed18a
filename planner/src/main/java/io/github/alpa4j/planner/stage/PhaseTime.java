package io.github.alpa4j.planner.stage;

/** The wall time one phase of planning took, such as {@code ILP solving}. */
public record PhaseTime(String name, double seconds) {
}
