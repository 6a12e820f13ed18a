package io.github.alpa4j.energy.control;

import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Applies a {@link FrequencyPlan} to one GPU while it trains: the training thread calls
 * {@link #onInstruction} as each instruction starts, and a thread of the controller's own sets
 * the clock, so the step never waits on NVML. Before anything is set every planned frequency is
 * checked against the GPU's supported clocks, and applying without the privilege is refused.
 * Clocks are reset exactly once, whichever comes first: {@link #close()}, a failure while
 * applying, or the JVM shutting down (a hook, for Ctrl-C). By default ({@code applyClocks}
 * false) the device is wrapped in {@link DryRunClocks}: the plan is reported, no setter is called.
 */
public final class FrequencyController implements AutoCloseable {
    static final String NO_PRIVILEGE = "setting GPU clocks needs root or CAP_SYS_ADMIN: run with those privileges, "
            + "or without --apply-clocks to only report the plan";

    private final GpuClocks clocks;
    private volatile FrequencyPlan plan;
    private final Consumer<String> log;
    private final ExecutorService worker;
    private final AtomicBoolean reset = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread hook;
    private volatile boolean closed;
    private int lastMhz = -1; // touched only on the worker thread

    private FrequencyController(GpuClocks clocks, FrequencyPlan plan, Consumer<String> log) {
        this.clocks = clocks;
        this.plan = plan;
        this.log = log;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gpu" + clocks.gpu() + "-clocks");
            t.setDaemon(true);
            return t;
        });
        this.hook = new Thread(this::resetOnce, "gpu" + clocks.gpu() + "-clocks-reset");
    }

    /** A controller that only reports what it would set. */
    public static FrequencyController dryRun(GpuClocks device, FrequencyPlan plan, Consumer<String> log) {
        return open(device, plan, false, log);
    }

    /**
     * Checks the plan against {@code device} and starts the controller.
     *
     * @param applyClocks set the real clocks (needs privileges); false wraps the device in {@link DryRunClocks}
     * @throws ClockControlException when a planned frequency is unsupported, or when applying without privileges;
     *     nothing has been set then
     */
    public static FrequencyController open(GpuClocks device, FrequencyPlan plan, boolean applyClocks, Consumer<String> log) {
        GpuClocks clocks = applyClocks ? device : new DryRunClocks(device, log);
        checkSupported(clocks, plan);
        if (applyClocks && !clocks.canSetClocks()) {
            throw new ClockControlException(NO_PRIVILEGE);
        }
        FrequencyController c = new FrequencyController(clocks, plan, log);
        Runtime.getRuntime().addShutdownHook(c.hook);
        return c;
    }

    private static void checkSupported(GpuClocks clocks, FrequencyPlan plan) {
        int[] supported = clocks.supportedGraphicsClocksMhz().clone();
        Arrays.sort(supported);
        for (FrequencyPlan.Step s : plan.steps()) {
            if (Arrays.binarySearch(supported, s.mhz()) < 0) {
                throw new ClockControlException("the frequency plan runs " + s.instruction() + " at " + s.mhz() + " MHz, which GPU "
                        + clocks.gpu() + " does not support (" + range(supported) + nearest(supported, s.mhz()) + ")");
            }
        }
    }

    /**
     * Follows {@code next} from the next instruction handed over (a straggler moved the pipeline to another frontier
     * point; called between iterations). Checked against the GPU's clocks first: a refused plan leaves the old one in force.
     *
     * @throws ClockControlException when a frequency of {@code next} is unsupported
     */
    public void replan(FrequencyPlan next) {
        checkSupported(clocks, next);
        plan = next;
    }

    /** The plan in force. */
    public FrequencyPlan plan() {
        return plan;
    }

    /**
     * Instruction {@code id} starts now: its clock is set on the controller's thread, after every
     * earlier one. Returns at once.
     *
     * @throws IllegalArgumentException when the plan has no such instruction
     * @throws ClockControlException when applying failed earlier (the clocks were reset then)
     */
    public void onInstruction(String id) {
        OptionalInt mhz = plan.mhz(id);
        if (mhz.isEmpty()) {
            throw new IllegalArgumentException("the frequency plan has no instruction " + id);
        }
        Throwable f = failure.get();
        if (f != null) {
            throw new ClockControlException("GPU " + clocks.gpu() + " clock control stopped after a failure (clocks reset): " + f.getMessage(), f);
        }
        if (closed) {
            throw new IllegalStateException("frequency controller used after close");
        }
        int target = mhz.getAsInt();
        worker.execute(() -> apply(target));
    }

    private void apply(int mhz) {
        if (failure.get() != null || reset.get()) {
            return;
        }
        if (mhz == lastMhz) {
            return;
        }
        try {
            clocks.setLockedGraphicsClock(mhz);
            lastMhz = mhz;
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
            log.accept("setting GPU " + clocks.gpu() + " to " + mhz + " MHz failed (" + e.getMessage() + "); resetting its clocks");
            resetOnce();
        }
    }

    /** Waits until every instruction handed over so far has been applied (tests; the end of an iteration). */
    public void awaitApplied() {
        Future<?> done = worker.submit(() -> { });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the clock thread failed", e.getCause());
        }
    }

    /** The failure that stopped the controller, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** What the JVM runs at shutdown: resets the clocks unless that happened already (exposed for tests). */
    Runnable shutdownHook() {
        return hook::run;
    }

    private void resetOnce() {
        if (reset.compareAndSet(false, true)) {
            try {
                clocks.resetGraphicsClocks();
            } catch (RuntimeException e) {
                log.accept("resetting GPU " + clocks.gpu() + "'s clocks failed: " + e.getMessage()
                        + "; run 'nvidia-smi -i " + clocks.gpu() + " -rgc' as root");
            }
        }
    }

    /** Stops the controller: waits for the instructions handed over, then resets the clocks (once). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        } finally {
            resetOnce();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook resets (a no-op now)
            }
        }
    }

    private static String range(int[] sorted) {
        return sorted.length == 0 ? "it lists no clocks" : "it supports " + sorted.length + " clocks from " + sorted[0] + " to "
                + sorted[sorted.length - 1] + " MHz";
    }

    private static String nearest(int[] sorted, int mhz) {
        if (sorted.length == 0) {
            return "";
        }
        int i = -Arrays.binarySearch(sorted, mhz) - 1;
        StringBuilder sb = new StringBuilder("; nearest: ");
        if (i > 0) {
            sb.append(sorted[i - 1]);
        }
        if (i > 0 && i < sorted.length) {
            sb.append(" or ");
        }
        if (i < sorted.length) {
            sb.append(sorted[i]);
        }
        return sb.append(" MHz").toString();
    }
}
