package io.github.alpa4j.energy.profile;

/**
 * One frequency a computation may run at, after quantisation.
 *
 * @param frequencyMhz the SM clock
 * @param timeSeconds measured time
 * @param energyJoules measured (raw) energy
 * @param quanta time in whole quanta τ, rounded down: {@code floor(time / τ)}
 * @param effectiveEnergyJoules {@code energy − P_block · quanta · τ}: what running costs beyond
 *     what the GPU would burn anyway while blocked (REFERENCES.md §3, "Effective energy")
 */
public record ExecutionOption(int frequencyMhz, double timeSeconds, double energyJoules, long quanta,
                              double effectiveEnergyJoules) {
}
