package io.github.alpa4j.engine;

/**
 * A problem the user can fix (a bad flag, an impossible model, a plan for another mesh). The CLI
 * prints the one-line message, without a stack trace, and exits with code 2.
 */
public class UserInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
