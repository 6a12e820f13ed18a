package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.autodiff.Optimizer;
import picocli.CommandLine.Option;

/** Flags that pick the optimizer whose update the training graph contains. */
public final class OptimizerOptions {
    @Option(names = "--lr", description = "Learning rate (default: 3e-3 for adamw, 0.05 for sgd).")
    Double lr;

    @Option(names = "--optimizer", defaultValue = "adamw", description = "adamw or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    Optimizer build() {
        if (lr != null && !(lr > 0)) {
            throw new UserInputException("--lr: the learning rate must be positive, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new UserInputException("--momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new UserInputException("--weight-decay must be 0 or more, got " + weightDecay);
        }
        try {
            return switch (optimizer) {
                case "adamw" -> new Optimizer.AdamW(lr != null ? lr : 3e-3, 0.9, 0.999, 1e-8, weightDecay);
                case "sgd" -> new Optimizer.Sgd(lr != null ? lr : 0.05, momentum, weightDecay);
                default -> throw new UserInputException("--optimizer: unknown optimizer '" + optimizer + "'; use adamw or sgd");
            };
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage() + " (--lr, --momentum, --weight-decay)", e);
        }
    }
}
