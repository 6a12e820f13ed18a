package io.github.alpa4j.engine.dist;

import io.github.alpa4j.engine.UserInputException;

/**
 * The ranks of a job could not meet: rank 0's store unreachable, a rank that never arrived at a
 * barrier, a value never published. One line saying who is missing and what to check; the CLI
 * prints it and exits with code 2 instead of hanging.
 */
public final class RendezvousException extends UserInputException {
    private static final long serialVersionUID = 1L;

    public RendezvousException(String message) {
        super(message);
    }

    public RendezvousException(String message, Throwable cause) {
        super(message, cause);
    }
}
