package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.dist.Launcher;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * SIGINT, SIGTERM and the death of the launcher that started this process, for the whole process.
 * Outside a training loop one ends the process at once with one line (exit 130 for SIGINT, 143 for
 * SIGTERM and a lost launcher): nothing is being written then, and every output is written whole
 * at the end. While a loop has {@linkplain #defer deferred} them, one only asks the loop to stop
 * after its current step (it then writes its checkpoint and metrics, and says so); a second one ends
 * the process at once, as does a lost launcher whose step has not ended within {@link #LAUNCHER_GRACE_MS}.
 */
final class Interruption {
    /** How long a worker whose launcher died may take to finish its step before it stops regardless. */
    static final long LAUNCHER_GRACE_MS = 10_000;

    private static PrintWriter err = new PrintWriter(System.err, true);
    private static boolean deferred;
    private static volatile String cause;
    private static volatile int exitCode;

    private Interruption() {
    }

    /** Handles SIGINT and SIGTERM from now on (the CLI's main only: tests run the CLI in their own JVM). */
    static void install(PrintWriter errors) {
        err = errors;
        handle("INT", "SIGINT", 130);
        handle("TERM", "SIGTERM", 143);
    }

    private static void handle(String name, String what, int code) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> raise(what, code));
        } catch (IllegalArgumentException e) {
            // the JVM keeps this signal for itself (-Xrs): its default action stays
        }
    }

    /**
     * In a worker that {@code launch} started: a daemon thread reads stdin, a pipe the launcher holds open,
     * and treats its end (the launcher exited, however it died) as SIGTERM.
     */
    static void watchLauncher(Map<String, String> env) {
        if (!"stdin".equals(env.get(Launcher.LAUNCHER_PIPE_ENV))) {
            return;
        }
        Thread t = new Thread(() -> {
            try (InputStream in = new BufferedInputStream(System.in)) {
                while (in.read() >= 0) {
                    // the launcher never writes; anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe is the launcher's end as well
            }
            Thread guard = new Thread(() -> {
                sleep(LAUNCHER_GRACE_MS);
                err.println("alpa4j: the launcher is gone and the step did not end within " + LAUNCHER_GRACE_MS / 1000 + " s; stopping now");
                err.flush();
                Runtime.getRuntime().halt(143);
            }, "alpa4j-launcher-grace");
            guard.setDaemon(true);
            guard.start();
            raise("the launcher exited", 143);
        }, "alpa4j-launcher-watch");
        t.setDaemon(true);
        t.start();
    }

    /** A signal arrived: ask a deferring loop to stop, or end the process. */
    static void raise(String what, int code) {
        synchronized (Interruption.class) {
            if (deferred && cause == null) {
                cause = what;
                exitCode = code;
                return;
            }
        }
        err.println("alpa4j: interrupted by " + what + (cause != null ? " while stopping after " + cause + "; stopping now" : ""));
        err.flush();
        System.exit(code);
    }

    /** What {@link #defer} returns: closing it ends the deferral. */
    interface Deferral extends AutoCloseable {
        @Override
        void close();
    }

    /** From now until the returned handle is closed, a signal asks the running loop to stop between steps. */
    static Deferral defer() {
        synchronized (Interruption.class) {
            deferred = true;
        }
        return () -> {
            synchronized (Interruption.class) {
                deferred = false;
            }
        };
    }

    /** Whether a signal asked the loop to stop. */
    static boolean requested() {
        return cause != null;
    }

    /** What asked it, e.g. {@code SIGTERM}; null when nothing did. */
    static String cause() {
        return cause;
    }

    /** The exit code the stop asks for: 130 after SIGINT, 143 after SIGTERM. */
    static int exitCode() {
        return exitCode;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
