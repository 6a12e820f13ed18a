package io.github.alpa4j.engine.train;

import java.util.Map;

/**
 * What one training step measured: its loss, time and throughput, the bytes each kind of
 * collective moved (as one device saw them; empty on one device), and every device's peak memory so far;
 * for fp16 the loss scale it ran with and whether its update was skipped (an overflow), NaN and false otherwise.
 */
public record StepMetrics(long step, double loss, double seconds, double tokensPerSecond, Map<String, Long> collectiveBytes,
                          long[] peakBytesPerDevice, double lossScale, boolean skipped) {
    public StepMetrics {
        collectiveBytes = Map.copyOf(collectiveBytes);
        peakBytesPerDevice = peakBytesPerDevice.clone();
    }

    /** A step without loss scaling. */
    public StepMetrics(long step, double loss, double seconds, double tokensPerSecond, Map<String, Long> collectiveBytes,
                       long[] peakBytesPerDevice) {
        this(step, loss, seconds, tokensPerSecond, collectiveBytes, peakBytesPerDevice, Double.NaN, false);
    }

    /** Whether the step ran with dynamic loss scaling. */
    public boolean lossScaled() {
        return !Double.isNaN(lossScale);
    }
}
