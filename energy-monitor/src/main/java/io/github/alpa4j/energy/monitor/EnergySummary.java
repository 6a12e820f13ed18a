package io.github.alpa4j.energy.monitor;

import java.util.List;

/**
 * What a training run's energy came to (documented in docs/train-json.md).
 *
 * @param joulesPerIteration mean joules per iteration, all GPUs, warm-up iteration left out
 * @param averagePowerWatts those joules over those iterations' wall time
 * @param tokensPerJoule tokens (or samples) processed per joule over the same iterations
 * @param iterationJoules every iteration's joules, warm-up included
 */
public record EnergySummary(double joulesPerIteration, double averagePowerWatts, double tokensPerJoule, List<Double> iterationJoules) {
    public EnergySummary {
        iterationJoules = List.copyOf(iterationJoules);
    }
}
