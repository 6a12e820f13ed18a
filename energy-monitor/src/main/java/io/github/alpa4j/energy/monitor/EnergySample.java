package io.github.alpa4j.energy.monitor;

/**
 * Every GPU's counters at one moment.
 *
 * @param nanos when ({@link System#nanoTime()} scale, or the monitor's clock)
 * @param energyMillijoules each GPU's energy counter
 * @param powerMilliwatts each GPU's power
 */
public record EnergySample(long nanos, long[] energyMillijoules, int[] powerMilliwatts) {
    public EnergySample {
        energyMillijoules = energyMillijoules.clone();
        powerMilliwatts = powerMilliwatts.clone();
    }

    public long energyMillijoules(int gpu) {
        return energyMillijoules[gpu];
    }

    public int powerMilliwatts(int gpu) {
        return powerMilliwatts[gpu];
    }
}
