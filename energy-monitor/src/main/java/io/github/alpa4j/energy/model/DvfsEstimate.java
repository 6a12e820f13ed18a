package io.github.alpa4j.energy.model;

/** The model's prediction for one computation at one SM clock. */
public record DvfsEstimate(int frequencyMhz, double timeSeconds, double powerWatts, double energyJoules) {
}
