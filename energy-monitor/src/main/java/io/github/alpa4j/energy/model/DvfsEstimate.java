package io.github.alpa4j.energy.model;

/**
 * The model's prediction for one computation at one requested SM clock.
 *
 * @param frequencyMhz the clock asked for
 * @param effectiveClockMhz the clock the GPU runs at: lower than asked where the power limiter
 *     holds it back
 */
public record DvfsEstimate(int frequencyMhz, double effectiveClockMhz, double timeSeconds, double powerWatts,
                           double energyJoules) {
}
