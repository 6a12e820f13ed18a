package io.github.alpa4j.engine.train;

/** Why a training run ended. */
public sealed interface Ending {
    /** Every step ran. */
    record Completed() implements Ending {
    }

    /** Stopped between steps because it was asked to (a signal). */
    record Stopped() implements Ending {
    }

    /** The divergence guard stopped it; {@code reason} is one line saying how the loss went. */
    record Diverged(String reason) implements Ending {
    }
}
