package io.github.alpa4j.engine.train;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The record of a training run. {@code entropyFloor} is the least reachable loss when the data
 * source knows it; {@code matmulShare} the fraction of step time spent in matrix products (BLAS),
 * {@code collectiveShare} in collectives (on a mesh; the busiest device's). A resumed run's steps include
 * those before its checkpoint; {@code ending} says whether every step ran.
 */
public record TrainResult(String model, String backend, String data, long parameters, List<StepMetrics> steps,
                          OptionalDouble entropyFloor, long peakBytesPerDevice, double matmulShare, double collectiveShare,
                          Ending ending) {
    public TrainResult {
        steps = List.copyOf(steps);
    }

    public double firstLoss() {
        return steps.getFirst().loss();
    }

    public double lastLoss() {
        return steps.getLast().loss();
    }

    /** Mean loss of the last {@code n} steps (smooths batch noise). */
    public double meanLastLoss(int n) {
        return steps.subList(Math.max(0, steps.size() - n), steps.size()).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
    }

    /** Tokens per second over all steps but the first (which includes warm-up). */
    public double meanTokensPerSecond() {
        List<StepMetrics> s = steps.size() > 1 ? steps.subList(1, steps.size()) : steps;
        double tokens = s.stream().mapToDouble(m -> m.tokensPerSecond() * m.seconds()).sum();
        double secs = s.stream().mapToDouble(StepMetrics::seconds).sum();
        return tokens / secs;
    }
}
