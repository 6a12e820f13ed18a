package io.github.alpa4j.energy.monitor;

/**
 * A stretch of time to attribute energy to: an iteration, or one forward or backward instruction
 * of a stage on its GPU.
 *
 * @param label what ran, e.g. {@code step 3} or {@code F(1,2)}
 * @param gpu whose counter pays for it
 * @param beginNanos start, on the monitor's clock
 * @param endNanos end, on the monitor's clock
 */
public record EnergyInterval(String label, int gpu, long beginNanos, long endNanos) {
    public EnergyInterval {
        if (endNanos < beginNanos) {
            throw new IllegalArgumentException(label + " ends before it begins");
        }
    }

    public double seconds() {
        return (endNanos - beginNanos) / 1e9;
    }
}
