package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/**
 * {@code energy profile}: each pipeline stage's forward and backward time and energy at each clock, as the
 * Perseus profiler measures them. For each clock it runs warm-up iterations, then measured ones; a pass's time
 * is its own compute (the runtime's record from inputs received to outputs computed, waiting for other stages
 * left out), its energy the stage's GPU counter over that interval ({@link EnergyMonitor}); each row is the pass of
 * median time over the microbatches and measured iterations, with its energy, on each stage's first device (a median, not a mean:
 * a pass that other work on the machine delayed moves it little).
 *
 * <p>Clocks are stepped only when asked ({@code apply}): every device of every stage is locked to one clock
 * through its {@link io.github.alpa4j.engine.energy.StageClocks} frequency controller (which checks the clock is
 * supported, refuses without privileges and resets the clocks when done). Otherwise nothing is set and the
 * profile has one clock, the one the first device runs at.
 */
public final class StageProfiler {
    /** Hears how far the profile is, in iterations of all clocks together. */
    public interface Progress {
        void start(long iterations);

        void iterationDone(int mhz);

        void finish();
    }

    /**
     * What to measure and with what.
     *
     * @param plan        the pipeline the runtime runs
     * @param runner      steps the pipeline (with loss scaling where the model needs it)
     * @param runtime     the runtime under {@code runner}, whose records give each pass's interval
     * @param batches     the feeds of iteration i
     * @param clocks      the clocks of each device, numbered across stages in stage order
     * @param gpuOfDevice the energy counter of each device, as the monitor numbers them
     * @param monitor     reads the counters
     * @param toMonitor   a moment on {@link System#nanoTime()} on the monitor's clock (the identity on a GPU)
     */
    public record Setup(PipelinePlan plan, StepRunner runner, PipelineRuntime<?, ?> runtime, LongFunction<Map<String, Tensor>> batches,
                        IntFunction<GpuClocks> clocks, IntUnaryOperator gpuOfDevice, EnergyMonitor monitor, LongUnaryOperator toMonitor) {
    }

    private final Setup setup;
    private final Consumer<String> log;
    private long iteration;

    public StageProfiler(Setup setup, Consumer<String> log) {
        this.setup = setup;
        this.log = log;
    }

    /**
     * The clocks a profile steps through: {@code wanted} (each supported by every device), or every clock the first
     * device supports; highest first. Without {@code apply}: the first device's current clock only.
     */
    public List<Integer> clocks(boolean apply, List<Integer> wanted) {
        GpuClocks first = setup.clocks().apply(0);
        if (!apply) {
            if (!wanted.isEmpty()) {
                throw new UserInputException("--clocks steps the GPU clocks: it needs --apply-clocks (without it the profile is"
                        + " measured at the current clock only, and nothing is set)");
            }
            return List.of(first.currentGraphicsClockMhz());
        }
        requirePrivilege(setup.plan().deviceCount(), setup.clocks());
        int[] supported = first.supportedGraphicsClocksMhz().clone();
        Arrays.sort(supported);
        List<Integer> out = new ArrayList<>();
        if (wanted.isEmpty()) {
            for (int i = supported.length - 1; i >= 0; i--) {
                out.add(supported[i]);
            }
        } else {
            for (int mhz : wanted) {
                if (Arrays.binarySearch(supported, mhz) < 0) {
                    throw new UserInputException("--clocks: GPU " + first.gpu() + " does not support " + mhz + " MHz (it supports "
                            + supported.length + " clocks from " + supported[0] + " to " + supported[supported.length - 1] + " MHz)");
                }
                if (!out.contains(mhz)) {
                    out.add(mhz);
                }
            }
            out.sort(java.util.Comparator.reverseOrder());
        }
        return out;
    }

    /** Refuses, in one line, clocks that this process may not set: nothing is run or set then. */
    static void requirePrivilege(int devices, IntFunction<GpuClocks> clocks) {
        for (int d = 0; d < devices; d++) {
            if (!clocks.apply(d).canSetClocks()) {
                throw new UserInputException("--apply-clocks: setting GPU clocks needs root or CAP_SYS_ADMIN: run with those"
                        + " privileges, or without --apply-clocks to profile at the current clock only");
            }
        }
    }

    /** Measures every stage at every clock of {@code clocks}: two rows (forward, backward) per stage and clock. */
    public List<Measurement> measure(List<Integer> clocks, boolean apply, int warmup, int iterations, Progress progress) {
        if (warmup < 0 || iterations < 1) {
            throw new UserInputException("--warmup must be 0 or more and --iterations 1 or more, got " + warmup + " and " + iterations);
        }
        setup.runtime().synchronizePasses(true); // a pass's interval ends when its kernels do, not when they are queued
        progress.start((long) clocks.size() * (warmup + iterations));
        List<Measurement> rows = new ArrayList<>();
        try {
            for (int mhz : clocks) {
                rows.addAll(apply ? atLockedClock(mhz, warmup, iterations, progress) : atClock(mhz, warmup, iterations, progress));
            }
        } finally {
            setup.runtime().listen(PipelineRuntime.TaskListener.NONE);
            progress.finish();
            setup.runtime().synchronizePasses(false);
        }
        return rows;
    }

    private List<Measurement> atLockedClock(int mhz, int warmup, int iterations, Progress progress) {
        try (StageClocks controllers = StageClocks.open(setup.plan(), StageClocks.uniform(setup.plan(), mhz), setup.clocks(), true, log)) {
            setup.runtime().listen(controllers);
            List<Measurement> rows = atClock(mhz, warmup, iterations, progress, controllers);
            setup.runtime().listen(PipelineRuntime.TaskListener.NONE);
            return rows;
        }
    }

    private List<Measurement> atClock(int mhz, int warmup, int iterations, Progress progress) {
        return atClock(mhz, warmup, iterations, progress, null);
    }

    private List<Measurement> atClock(int mhz, int warmup, int iterations, Progress progress, StageClocks controllers) {
        for (int i = 0; i < warmup; i++) {
            setup.runner().step(setup.batches().apply(iteration++));
            progress.iterationDone(mhz);
        }
        if (controllers != null) {
            // lock every device now, as its first pass would, so that no measured pass starts at the previous clock
            int device = 0;
            for (int s = 0; s < setup.plan().stages().size(); s++) {
                for (int d = 0; d < setup.plan().stages().get(s).mesh().deviceCount(); d++, device++) {
                    controllers.computing(s, d, 0, PipelineSchedule.Pass.FORWARD);
                }
            }
            controllers.awaitApplied();
        }
        int stages = setup.plan().stages().size();
        List<List<List<double[]>>> passes = perPass(stages); // [stage][pass] -> (seconds, joules) of each pass run
        for (int i = 0; i < iterations; i++) {
            setup.monitor().mark();
            setup.runner().step(setup.batches().apply(iteration++));
            setup.monitor().mark();
            long start = setup.runtime().lastStepStartNanos();
            List<List<PipelineRuntime.TaskTiming>> tasks = setup.runtime().lastStepTasks();
            int firstDevice = 0;
            for (int s = 0; s < stages; s++) {
                int gpu = setup.gpuOfDevice().applyAsInt(firstDevice);
                for (PipelineRuntime.TaskTiming t : tasks.get(firstDevice)) {
                    long begin = setup.toMonitor().applyAsLong(start + t.receivedNanos());
                    long end = setup.toMonitor().applyAsLong(start + t.computedNanos());
                    int k = t.pass().ordinal();
                    passes.get(s).get(k).add(new double[] {(end - begin) * 1e-9, setup.monitor().joules(gpu, begin, end)});
                }
                firstDevice += setup.plan().stages().get(s).mesh().deviceCount();
            }
            progress.iterationDone(mhz);
        }
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            for (Instruction instruction : Instruction.values()) {
                int k = instruction == Instruction.FORWARD ? PipelineSchedule.Pass.FORWARD.ordinal() : PipelineSchedule.Pass.BACKWARD.ordinal();
                double[] median = median(passes.get(s).get(k));
                if (!(median[0] > 0)) {
                    throw new IllegalStateException("stage " + s + " ran no timed " + instruction.csvName() + " pass at " + mhz + " MHz");
                }
                rows.add(new Measurement(s, instruction, mhz, median[0], Math.max(0, median[1])));
            }
        }
        return rows;
    }

    private static List<List<List<double[]>>> perPass(int stages) {
        List<List<List<double[]>>> out = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            out.add(List.of(new ArrayList<>(), new ArrayList<>()));
        }
        return out;
    }

    /**
     * The pass of median time, its time and energy together (the mean of the middle two of an even count), so that a
     * row's energy is the energy of its time; {0, 0} of none. A pass the machine's other work delayed moves it little.
     */
    static double[] median(List<double[]> passes) {
        if (passes.isEmpty()) {
            return new double[] {0, 0};
        }
        List<double[]> v = new ArrayList<>(passes);
        v.sort(java.util.Comparator.comparingDouble(p -> p[0]));
        int n = v.size();
        if (n % 2 == 1) {
            return v.get(n / 2).clone();
        }
        double[] a = v.get(n / 2 - 1);
        double[] b = v.get(n / 2);
        return new double[] {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2};
    }
}
