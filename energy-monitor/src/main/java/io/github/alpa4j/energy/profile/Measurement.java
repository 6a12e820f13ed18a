package io.github.alpa4j.energy.profile;

/**
 * One row of a time/energy profile: one instruction of one stage (one microbatch) run at one
 * SM frequency.
 *
 * @param stage pipeline stage, from 0
 * @param instruction forward or backward
 * @param frequencyMhz SM clock the GPU was locked to
 * @param timeSeconds wall time of the instruction
 * @param energyJoules energy of one GPU over that time, raw (it includes the baseline power)
 */
public record Measurement(int stage, Instruction instruction, int frequencyMhz, double timeSeconds,
                          double energyJoules) {
    public Measurement {
        if (stage < 0 || frequencyMhz <= 0 || !(timeSeconds > 0) || !(energyJoules >= 0)
                || !Double.isFinite(timeSeconds) || !Double.isFinite(energyJoules)) {
            throw new IllegalArgumentException("invalid measurement: stage " + stage + ", " + frequencyMhz
                    + " MHz, " + timeSeconds + " s, " + energyJoules + " J");
        }
    }
}
