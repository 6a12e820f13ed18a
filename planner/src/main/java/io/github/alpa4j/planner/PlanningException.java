package io.github.alpa4j.planner;

/**
 * A planning problem the user can fix: an unknown cluster preset, a malformed file, a mesh larger
 * than the cluster, a memory budget no plan meets. The message is one line saying what is wrong and
 * what to do; the CLI prints it without a stack trace and exits with code 2.
 */
public class PlanningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanningException(String message) {
        super(message);
    }

    public PlanningException(String message, Throwable cause) {
        super(message, cause);
    }
}
