package io.github.alpa4j.planner.plan;

/**
 * The size of the ILP behind an automatic plan, and the time spent on it.
 *
 * @param graphNodes       nodes of the graph
 * @param strategies       strategies enumerated over all nodes
 * @param groups           leader groups after follower merging
 * @param variables        ILP variables after follower merging and role tying
 * @param edges            ILP edges (variable pairs with resharding costs) between those variables
 * @param reducedVariables variables left for CP-SAT after exact elimination
 * @param reducedEdges     edges left for CP-SAT after exact elimination
 * @param boolVars         Boolean variables of the CP-SAT model (node and edge variables), or the LP relaxation's columns when it alone solved the problem
 * @param constraints      constraints of the CP-SAT model, or the LP relaxation's rows
 * @param buildSeconds     strategy enumeration, ILP construction and elimination
 * @param solveSeconds     LP relaxation, CP-SAT model building and solving
 */
public record IlpStats(int graphNodes, int strategies, int groups, int variables, int edges, int reducedVariables, int reducedEdges,
                       int boolVars, int constraints, double buildSeconds, double solveSeconds) {
}
