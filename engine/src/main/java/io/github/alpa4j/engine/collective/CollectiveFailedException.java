package io.github.alpa4j.engine.collective;

/**
 * A collective or transfer between processes could not complete because a rank failed, went away or
 * hangs; the message names the rank and what happened to it. Every rank of the job stops with one.
 */
public final class CollectiveFailedException extends RuntimeException {
    public CollectiveFailedException(String message) {
        super(message);
    }
}
