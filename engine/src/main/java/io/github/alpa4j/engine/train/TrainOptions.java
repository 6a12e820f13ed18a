package io.github.alpa4j.engine.train;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * How a training run goes, one knob per line.
 *
 * @param steps            the step the run ends before (steps are numbered from 0)
 * @param history          metrics of the steps already taken (a resumed run's, from its checkpoint); the run starts at step history.size()
 * @param divergenceFactor the run has diverged when a loss exceeds the first by this factor (non-finite losses always count)
 * @param allowDivergence  train on through a divergence instead of stopping
 * @param stopRequested    asked before every step: true stops the run there (a signal arrived)
 */
public record TrainOptions(long steps, List<StepMetrics> history, double divergenceFactor, boolean allowDivergence,
                           BooleanSupplier stopRequested) {
    /** The factor above the first loss at which a run counts as diverged, unless told otherwise. */
    public static final double DEFAULT_DIVERGENCE_FACTOR = 4;

    public TrainOptions {
        history = List.copyOf(history);
        if (steps < history.size()) {
            throw new IllegalArgumentException("a run of " + steps + " steps cannot continue after step " + history.size());
        }
        if (!(divergenceFactor > 1)) {
            throw new IllegalArgumentException("a divergence factor must exceed 1, got " + divergenceFactor);
        }
    }

    /** {@code steps} fresh steps, the divergence guard at its default, nothing to stop them. */
    public static Builder of(long steps) {
        return new Builder(steps);
    }

    /** The step the run starts at. */
    public long startStep() {
        return history.size();
    }

    /** Options built knob by knob. */
    public static final class Builder {
        private final long steps;
        private List<StepMetrics> history = List.of();
        private double divergenceFactor = DEFAULT_DIVERGENCE_FACTOR;
        private boolean allowDivergence;
        private BooleanSupplier stopRequested = () -> false;

        private Builder(long steps) {
            this.steps = steps;
        }

        public Builder resumedAfter(List<StepMetrics> history) {
            this.history = history;
            return this;
        }

        public Builder divergenceFactor(double factor) {
            this.divergenceFactor = factor;
            return this;
        }

        public Builder allowDivergence(boolean allow) {
            this.allowDivergence = allow;
            return this;
        }

        public Builder stopWhen(BooleanSupplier stop) {
            this.stopRequested = stop;
            return this;
        }

        public TrainOptions build() {
            return new TrainOptions(steps, history, divergenceFactor, allowDivergence, stopRequested);
        }
    }
}
