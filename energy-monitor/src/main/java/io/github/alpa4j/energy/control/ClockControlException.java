package io.github.alpa4j.energy.control;

/**
 * The frequency controller will not change clocks: a planned frequency the GPU does not
 * support, no privilege to set clocks, or a failure while applying (after which it reset the
 * clocks). One line saying what to do; the CLI prints it and exits with code 2.
 */
public final class ClockControlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClockControlException(String message) {
        super(message);
    }

    public ClockControlException(String message, Throwable cause) {
        super(message, cause);
    }
}
