package io.github.alpa4j.ir;

/** A graph whose shapes do not fit together; the message names the op and the shapes. */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}
