package io.github.alpa4j.energy.model;

/**
 * The numbers of a GPU that are read off a datasheet or measured once, never fitted: throughput,
 * bandwidth, clock range, power limit, and the power it draws while blocked on communication.
 * Calibration ({@code alpa4j energy calibrate}) holds these fixed and fits a {@link PowerCurve} on
 * top of them; moving a fitted curve to another GPU keeps that GPU's datasheet
 * ({@link GpuSpec#onDatasheet}).
 *
 * @param name for reports
 * @param peakFlopsPerSecond dense tensor-core throughput at the highest SM clock (bf16/fp16)
 * @param memoryBandwidthBytesPerSecond device-memory bandwidth, independent of the SM clock
 * @param minClockMhz lowest SM clock the driver accepts
 * @param maxClockMhz highest (boost) SM clock
 * @param clockStepMhz spacing of supported SM clocks
 * @param powerLimitWatts the board's power limit (TDP)
 * @param staticWatts power drawn whatever runs: the GPU's power while blocked on communication,
 *     P_block, which Perseus measured (REFERENCES.md §3) and NVML reads on an idle GPU
 */
public record GpuDatasheet(String name, double peakFlopsPerSecond, double memoryBandwidthBytesPerSecond,
                           int minClockMhz, int maxClockMhz, int clockStepMhz, double powerLimitWatts,
                           double staticWatts) {
    public GpuDatasheet {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a GPU needs a name");
        }
        if (!(peakFlopsPerSecond > 0) || !(memoryBandwidthBytesPerSecond > 0) || minClockMhz <= 0
                || maxClockMhz <= minClockMhz || clockStepMhz <= 0 || !(powerLimitWatts > 0)
                || !(staticWatts >= 0) || staticWatts >= powerLimitWatts
                || !Double.isFinite(peakFlopsPerSecond + memoryBandwidthBytesPerSecond + powerLimitWatts + staticWatts)) {
            throw new IllegalArgumentException("inconsistent datasheet for GPU " + name + ": " + peakFlopsPerSecond
                    + " FLOP/s, " + memoryBandwidthBytesPerSecond + " B/s, clocks " + minClockMhz + ".." + maxClockMhz
                    + " step " + clockStepMhz + " MHz, limit " + powerLimitWatts + " W, static " + staticWatts + " W");
        }
    }
}
