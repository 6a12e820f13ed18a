package io.github.alpa4j.energy.model;

/**
 * How long one instruction (a stage's forward or backward of one microbatch) takes at the highest
 * SM clock, split into the part that scales with the SM clock (compute-bound) and the part that
 * does not (memory-bound, and anything else the SM clock does not speed up).
 *
 * @param computeSeconds compute-bound time at the highest clock; at clock f it takes
 *     {@code computeSeconds · f_max / f}
 * @param memorySeconds time that does not depend on the SM clock
 */
public record InstructionTime(double computeSeconds, double memorySeconds) {
    public InstructionTime {
        if (!(computeSeconds >= 0) || !(memorySeconds >= 0) || !(computeSeconds + memorySeconds > 0)
                || !Double.isFinite(computeSeconds + memorySeconds)) {
            throw new IllegalArgumentException("an instruction takes some time: compute " + computeSeconds
                    + " s, memory " + memorySeconds + " s");
        }
    }

    /** From the planner's count of FLOPs and bytes: each at the GPU's peak rate, one after the other. */
    public static InstructionTime of(GpuDatasheet gpu, double flops, double bytes) {
        return new InstructionTime(flops / gpu.peakFlopsPerSecond(), bytes / gpu.memoryBandwidthBytesPerSecond());
    }

    /** Time at the highest clock, were the power limiter not to lower it. */
    public double atMaxClockSeconds() {
        return computeSeconds + memorySeconds;
    }

    /** The compute-bound fraction of the time at the highest clock. */
    public double computeFraction() {
        return computeSeconds / atMaxClockSeconds();
    }
}
