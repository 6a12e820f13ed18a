package io.github.alpa4j.cuda;

/**
 * A GPU or a CUDA library was needed and is not there. The message is one line saying what is
 * missing and what to do (a user error, not a programming one).
 */
public final class CudaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message) {
        super(message);
    }
}
