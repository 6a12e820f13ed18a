package io.github.alpa4j.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A thread per device and one task per device per step. The step ends when every task has, or at
 * once when the first fails: the others are interrupted (freed from the barriers and queues they wait
 * at for the failed one) and the failure is what the caller sees, not a timeout of its peers.
 */
final class DeviceTasks implements AutoCloseable {
    private final ExecutorService pool;

    DeviceTasks(int devices, String threadName) {
        this.pool = Executors.newFixedThreadPool(devices, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs every task, each on its own thread, and returns when all have; rethrows the first failure as soon as it happens. */
    void runAll(List<Runnable> tasks, String what) {
        CompletionService<Void> done = new ExecutorCompletionService<>(pool);
        List<Future<Void>> running = new ArrayList<>();
        for (Runnable t : tasks) {
            running.add(done.submit(t, null));
        }
        try {
            for (int i = 0; i < running.size(); i++) {
                Future<Void> f = done.take();
                try {
                    f.get();
                } catch (ExecutionException e) {
                    running.forEach(r -> r.cancel(true));
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("a device failed while " + what + ": " + cause, cause);
                }
            }
        } catch (InterruptedException e) {
            running.forEach(r -> r.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
