package io.github.alpa4j.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads one CPU device computes with (PyTorch's intra-op pool, {@code at::parallel_for}): a
 * loop over [0, n) is cut into one contiguous chunk per thread, the calling thread runs the first
 * chunk, and the call returns when every chunk is done. A loop shorter than two grains runs on the
 * caller alone, where waking a thread costs more than it saves. With one thread there are no
 * workers: every loop runs on the caller, as on a simulated mesh device.
 *
 * <p>Workers spin briefly before parking, so back-to-back kernels do not pay a wake-up each; one
 * loop runs at a time (a device issues its kernels in order).
 */
public final class IntraOpPool implements AutoCloseable {
    /** The body of a loop over the index range [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** Spins of a waiting thread before it parks (about 50 µs). */
    private static final int SPINS = 2_000;

    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A pool of {@code threads} threads, the caller included. */
    public IntraOpPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], "alpa4j-intra-op-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    public int threads() {
        return workers.length + 1;
    }

    /** Runs {@code body} over [0, n) in chunks of at least {@code grain} indices, one per thread at most. */
    public void parallelFor(int n, int grain, Range body) {
        int chunks = Math.min(threads(), n / Math.max(1, grain));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        caller = Thread.currentThread();
        failure = null;
        pending.set(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            workers[c - 1].submit(body, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
        }
        try {
            body.run(0, n / chunks);
        } finally {
            awaitWorkers();
        }
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(f);
        }
    }

    private void awaitWorkers() {
        for (int spin = 0; pending.get() > 0; spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w.thread);
        }
    }

    private final class Worker implements Runnable {
        Thread thread;
        volatile boolean stop;
        private volatile Range body;
        private int from;
        private int to;

        void submit(Range b, int start, int end) {
            from = start;
            to = end;
            body = b; // the volatile write publishes from and to
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            int spin = 0;
            while (!stop) {
                Range b = body;
                if (b == null) {
                    if (spin++ < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    continue;
                }
                spin = 0;
                body = null;
                try {
                    b.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
