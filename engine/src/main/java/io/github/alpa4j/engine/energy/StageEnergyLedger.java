package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Measured joules of each pipeline stage, iteration by iteration: its first device's energy counter over the whole
 * iteration, and the part of it attributed to the stage's forward and backward instructions (each pass's interval from
 * inputs received to outputs computed, as the runtime records it; the monitor reads the counter over that interval). Also
 * keeps every pass's (time, joules), for a profile of the clock the passes ran at.
 */
public final class StageEnergyLedger {
    /** Means over the iterations recorded since the last {@link #clear()}: joules (and seconds) per iteration, by stage. */
    public record Means(int iterations, double iterationSeconds, double[] windowJoules, double[] forwardJoules, double[] backwardJoules) {
    }

    private final PipelinePlan plan;
    private final PipelineRuntime<?, ?> runtime;
    private final EnergyMonitor monitor;
    private final LongUnaryOperator toMonitor;
    private final IntUnaryOperator gpuOfDevice;
    private final int stages;
    private int iterations;
    private double seconds;
    private double[] window;
    private double[] forward;
    private double[] backward;
    /** [stage][instruction] -> (seconds, joules) of each pass. */
    private final List<List<List<double[]>>> passes = new ArrayList<>();

    /**
     * @param toMonitor   a moment on {@link System#nanoTime()} on the monitor's clock (the identity on a GPU)
     * @param gpuOfDevice the energy counter of each device, as the monitor numbers them
     */
    public StageEnergyLedger(PipelinePlan plan, PipelineRuntime<?, ?> runtime, EnergyMonitor monitor, LongUnaryOperator toMonitor,
                             IntUnaryOperator gpuOfDevice) {
        this.plan = plan;
        this.runtime = runtime;
        this.monitor = monitor;
        this.toMonitor = toMonitor;
        this.gpuOfDevice = gpuOfDevice;
        this.stages = plan.stages().size();
        clear();
    }

    /** Forgets what was recorded (a new clock plan is in force). */
    public void clear() {
        iterations = 0;
        seconds = 0;
        window = new double[stages];
        forward = new double[stages];
        backward = new double[stages];
        passes.clear();
        for (int s = 0; s < stages; s++) {
            passes.add(List.of(new ArrayList<>(), new ArrayList<>()));
        }
    }

    /** Records the runtime's last step; the monitor must have read its counters after it ended ({@link EnergyMonitor#mark()}). */
    public void record() {
        long start = runtime.lastStepStartNanos();
        List<List<PipelineRuntime.TaskTiming>> tasks = runtime.lastStepTasks();
        long last = 0;
        for (List<PipelineRuntime.TaskTiming> device : tasks) {
            for (PipelineRuntime.TaskTiming t : device) {
                last = Math.max(last, t.endNanos());
            }
        }
        long begin = toMonitor.applyAsLong(start);
        long end = toMonitor.applyAsLong(start + last);
        seconds += (end - begin) * 1e-9;
        int firstDevice = 0;
        for (int s = 0; s < stages; s++) {
            int gpu = gpuOfDevice.applyAsInt(firstDevice);
            window[s] += monitor.joules(gpu, begin, end);
            for (PipelineRuntime.TaskTiming t : tasks.get(firstDevice)) {
                long a = toMonitor.applyAsLong(start + t.receivedNanos());
                long b = toMonitor.applyAsLong(start + t.computedNanos());
                double j = Math.max(0, monitor.joules(gpu, a, b));
                boolean isForward = t.pass() == io.github.alpa4j.planner.stage.PipelineSchedule.Pass.FORWARD;
                if (isForward) {
                    forward[s] += j;
                } else {
                    backward[s] += j;
                }
                passes.get(s).get(isForward ? 0 : 1).add(new double[] {(b - a) * 1e-9, j});
            }
            firstDevice += plan.stages().get(s).mesh().deviceCount();
        }
        iterations++;
    }

    public Means means() {
        int n = Math.max(1, iterations);
        return new Means(iterations, seconds / n, scaled(window, n), scaled(forward, n), scaled(backward, n));
    }

    /** Each stage's forward and backward as profile rows at {@code mhz}: the pass of median time over what was recorded, with its energy. */
    public List<Measurement> rows(int mhz) {
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            for (Instruction i : Instruction.values()) {
                double[] median = StageProfiler.median(passes.get(s).get(i == Instruction.FORWARD ? 0 : 1));
                if (!(median[0] > 0)) {
                    throw new IllegalStateException("stage " + s + " ran no timed " + i.csvName() + " pass");
                }
                rows.add(new Measurement(s, i, mhz, median[0], median[1]));
            }
        }
        return rows;
    }

    private static double[] scaled(double[] v, int n) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }
}
