package io.github.alpa4j.energy.frontier;

/**
 * One Phillips–Dessouky step: the computations on the cut's forward arcs, sped up by one
 * quantum, and those on its backward arcs, slowed down by one; every critical path crosses the
 * cut once more forward than backward, so the iteration gets exactly one quantum shorter.
 *
 * @param cost energy the step adds, Σ upper(forward) − Σ lower(backward), in joules
 */
record Cut(int[] spedUp, int[] slowedDown, double cost) {
}
