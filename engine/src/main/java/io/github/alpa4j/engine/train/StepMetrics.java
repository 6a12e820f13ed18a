package io.github.alpa4j.engine.train;

import java.util.Map;

/**
 * What one training step measured: its loss, time and throughput, the bytes each kind of
 * collective moved (as one device saw them; empty on one device), and every device's peak memory so far.
 */
public record StepMetrics(long step, double loss, double seconds, double tokensPerSecond, Map<String, Long> collectiveBytes,
                          long[] peakBytesPerDevice) {
    public StepMetrics {
        collectiveBytes = Map.copyOf(collectiveBytes);
        peakBytesPerDevice = peakBytesPerDevice.clone();
    }
}
