package io.github.alpa4j.ir.json;

/**
 * A graph file that cannot be read: not JSON, a missing or malformed field, an unknown op, shapes
 * that do not fit. The message is one line naming the file and the node; it is a user error (the
 * CLI exits with code 2).
 */
public class GraphFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GraphFormatException(String message) {
        super(message);
    }
}
