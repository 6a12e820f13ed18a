package io.github.alpa4j.energy.frontier;

/**
 * One step of the frontier: an iteration time and the least energy found for it.
 *
 * @param index position in {@link Frontier#points()}, 0 being the slowest
 * @param quanta iteration time in quanta τ
 * @param timeSeconds iteration time, quanta · τ
 * @param energyJoules energy of one pipeline for one iteration: the computations' effective
 *     energy plus stages · time · P_block (every GPU draws at least P_block throughout)
 * @param computationEnergyJoules the computations' effective energy alone
 */
public record FrontierPoint(int index, long quanta, double timeSeconds, double energyJoules,
                            double computationEnergyJoules) {
}
