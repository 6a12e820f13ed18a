package io.github.alpa4j.cuda;

import java.util.Optional;

/**
 * Names the op a thread is serving, so that a failing CUDA call can say what it was for:
 * {@code try (OpScope s = OpScope.enter("layerNorm#12")) { ... }}. Scopes nest; the innermost
 * wins. Kernels run asynchronously, so an error that surfaces at a later synchronisation names
 * the op being served then, which may come after the one that faulted.
 */
public final class OpScope implements AutoCloseable {
    private static final ThreadLocal<OpScope> CURRENT = new ThreadLocal<>();

    private final String op;
    private final OpScope outer;
    private final Thread owner;
    private boolean closed;

    private OpScope(String op, OpScope outer) {
        this.op = op;
        this.outer = outer;
        this.owner = Thread.currentThread();
    }

    /** Enters a scope for {@code op} on this thread. */
    public static OpScope enter(String op) {
        if (op == null || op.isBlank()) {
            throw new IllegalArgumentException("an op scope needs a name");
        }
        OpScope s = new OpScope(op, CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The op this thread serves now, if any. */
    public static Optional<String> current() {
        OpScope s = CURRENT.get();
        return s == null ? Optional.empty() : Optional.of(s.op);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner || CURRENT.get() != this) {
            throw new IllegalStateException("op scope '" + op + "' closed out of order or on another thread");
        }
        closed = true;
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }
}
