package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.runtime.LossScaler;
import picocli.CommandLine.Option;

/** fp16's dynamic loss scaling, as GradScaler's arguments (defaults: its own). */
public final class LossScaleOptions {
    @Option(names = "--loss-scale", description = "fp16: the initial loss scale (default: 65536, as GradScaler).")
    Double initial;

    @Option(names = "--loss-scale-growth-interval", description = "fp16: good steps in a row after which the loss scale"
            + " doubles (default: 2000, as GradScaler).")
    Integer growthInterval;

    /** The settings the flags give, or a one-line refusal of flags for a run without loss scaling. */
    LossScaler.Settings settings(boolean lossScaled) {
        if (!lossScaled && (initial != null || growthInterval != null)) {
            throw new UserInputException("--loss-scale and --loss-scale-growth-interval apply to --precision fp16 only");
        }
        LossScaler.Settings s = LossScaler.Settings.defaults();
        try {
            s = initial != null ? s.withInitialScale(initial) : s;
            return growthInterval != null ? s.withGrowthInterval(growthInterval) : s;
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--loss-scale must be a positive finite number and --loss-scale-growth-interval at least 1", e);
        }
    }
}
