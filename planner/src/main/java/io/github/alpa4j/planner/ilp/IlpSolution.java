package io.github.alpa4j.planner.ilp;

/**
 * What CP-SAT returned for a problem.
 *
 * @param choice    a choice per variable (meaningless when {@code status} has no solution)
 * @param objective the problem's objective at {@code choice}, in seconds, recomputed exactly
 * @param boolVars  Boolean variables of the CP-SAT model (node and edge variables)
 * @param constraints constraints of the CP-SAT model
 */
public record IlpSolution(int[] choice, double objective, SolveStatus status, double seconds, int boolVars, int constraints) {

    public enum SolveStatus {
        /** Proven optimal. */
        OPTIMAL,
        /** A plan, not proven optimal within the time limit. */
        FEASIBLE,
        /** No assignment satisfies the constraints (a memory budget too small). */
        INFEASIBLE,
        /** The time limit ran out before any plan was found. */
        UNKNOWN;

        public boolean hasSolution() {
            return this == OPTIMAL || this == FEASIBLE;
        }
    }
}
