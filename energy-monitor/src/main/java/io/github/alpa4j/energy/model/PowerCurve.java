package io.github.alpa4j.energy.model;

/**
 * How a GPU's power depends on its SM clock, beyond the static power of its {@link GpuDatasheet}:
 * the part {@code alpa4j energy calibrate} fits on a measured profile ({@link DvfsEnergyModel}
 * has the equations and why each term is there).
 *
 * @param smDynamicWatts switching power of the SM clock domain at the highest clock and voltage
 * @param memoryWatts power added while an instruction waits on memory rather than on the SMs,
 *     independent of the SM clock
 * @param kneeClockMhz the clock at and below which the core voltage stays at its floor
 * @param kneeVoltage that floor, relative to the voltage at the highest clock; the voltage rises
 *     linearly from it at the knee to 1 at the highest clock
 * @param capWatts the power the GPU's limiter holds it to: where a clock would draw more, the GPU
 *     runs at the clock that draws exactly this
 */
public record PowerCurve(double smDynamicWatts, double memoryWatts, double kneeClockMhz, double kneeVoltage,
                         double capWatts) {
    public PowerCurve {
        if (!(smDynamicWatts > 0) || !(memoryWatts >= 0) || !(kneeClockMhz > 0) || !(kneeVoltage > 0)
                || kneeVoltage > 1 || !(capWatts > 0)
                || !Double.isFinite(smDynamicWatts + memoryWatts + kneeClockMhz + capWatts)) {
            throw new IllegalArgumentException("inconsistent power curve: SM " + smDynamicWatts + " W, memory "
                    + memoryWatts + " W, knee " + kneeClockMhz + " MHz at voltage " + kneeVoltage + ", cap "
                    + capWatts + " W");
        }
    }

    /** Core voltage at {@code clockMhz}, relative to the voltage at {@code maxClockMhz}. */
    public double voltage(double clockMhz, int maxClockMhz) {
        if (kneeClockMhz >= maxClockMhz) {
            return 1;
        }
        if (clockMhz <= kneeClockMhz) {
            return kneeVoltage;
        }
        return kneeVoltage + (1 - kneeVoltage) * (clockMhz - kneeClockMhz) / (maxClockMhz - kneeClockMhz);
    }
}
