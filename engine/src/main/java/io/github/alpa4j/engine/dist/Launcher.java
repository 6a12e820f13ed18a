package io.github.alpa4j.engine.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Starts this host's workers of a multi-process job, as torchrun does: {@code procsPerNode}
 * processes, each with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and
 * MASTER_PORT set; forwards their output line by line prefixed with the rank; when one fails,
 * stops the others and returns its exit code.
 *
 * @param nodes hosts taking part
 * @param nodeRank this host's index among them (its workers get ranks nodeRank·procsPerNode + local)
 * @param procsPerNode workers on this host
 * @param masterAddr host of rank 0
 * @param masterPort the rendezvous port there
 */
public record Launcher(int nodes, int nodeRank, int procsPerNode, String masterAddr, int masterPort) {
    /** Set in every worker: its stdin is a pipe from the launcher, and its end means the launcher is gone. */
    public static final String LAUNCHER_PIPE_ENV = "ALPA4J_LAUNCHER_PIPE";

    /** How long a worker may take to stop after SIGTERM before it is killed. */
    private static final long STOP_GRACE_SECONDS = 5;

    public int worldSize() {
        return nodes * procsPerNode;
    }

    /** The environment of local worker {@code local}: the launcher variables every alpa4j rank reads ({@link LaunchEnv}). */
    public Map<String, String> workerEnv(int local) {
        return Map.of("RANK", String.valueOf(nodeRank * procsPerNode + local), "WORLD_SIZE", String.valueOf(worldSize()),
                "LOCAL_RANK", String.valueOf(local), "LOCAL_WORLD_SIZE", String.valueOf(procsPerNode),
                "GROUP_RANK", String.valueOf(nodeRank), "MASTER_ADDR", masterAddr, "MASTER_PORT", String.valueOf(masterPort));
    }

    /**
     * Runs {@code command} as every local worker and waits for them.
     *
     * @return 0 when all exited 0, else the exit code of the first to fail
     */
    public int run(List<String> command, PrintWriter out, PrintWriter err) {
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        BlockingQueue<int[]> exits = new LinkedBlockingQueue<>();
        Thread hook = new Thread(() -> stopAll(procs), "alpa4j-launch-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int local = 0; local < procsPerNode; local++) {
                int rank = nodeRank * procsPerNode + local;
                ProcessBuilder pb = new ProcessBuilder(command);
                pb.environment().putAll(workerEnv(local));
                // the worker's stdin is a pipe this process holds open and never writes: its end tells the
                // worker that the launcher is gone, however it died (SIGKILL included)
                pb.environment().put(LAUNCHER_PIPE_ENV, "stdin");
                pb.redirectInput(ProcessBuilder.Redirect.PIPE);
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    stopAll(procs);
                    throw new UncheckedIOException("cannot start worker " + rank + ": " + e.getMessage(), e);
                }
                procs.add(p);
                pumps.add(pump(p.getInputStream(), out, "[rank " + rank + "] "));
                pumps.add(pump(p.getErrorStream(), err, "[rank " + rank + "] "));
                p.onExit().thenAccept(done -> exits.add(new int[] {rank, done.exitValue()}));
            }
            int first = 0;
            for (int n = 0; n < procs.size(); n++) {
                int[] e = take(exits);
                if (e[1] != 0 && first == 0) {
                    first = e[1];
                    int others = (int) procs.stream().filter(Process::isAlive).count();
                    synchronized (err) {
                        err.println("alpa4j launch: rank " + e[0] + " exited with code " + e[1]
                                + (others > 0 ? "; stopping the other " + others + " worker" + (others == 1 ? "" : "s") + " on this host" : ""));
                        err.flush();
                    }
                    stopAll(procs);
                }
            }
            for (Thread t : pumps) {
                join(t);
            }
            return first;
        } finally {
            stopAll(procs);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook stops the workers
            }
        }
    }

    private static Thread pump(InputStream in, PrintWriter to, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the worker's pipe closed under us: it has exited and its code tells the rest
            }
        }, "alpa4j-launch-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** SIGTERM to every live worker (and what it started), then SIGKILL to those still alive after the grace period. */
    private static void stopAll(List<Process> procs) {
        List<Process> alive = procs.stream().filter(Process::isAlive).toList();
        for (Process p : alive) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : alive) {
            try {
                if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static int[] take(BlockingQueue<int[]> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the workers", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
