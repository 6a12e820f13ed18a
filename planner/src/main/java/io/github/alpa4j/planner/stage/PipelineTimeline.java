package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When each forward and backward pass of an iteration runs, by simulating a schedule: a stage runs its
 * passes in the schedule's order, each as soon as the stage is free and its input is ready (the
 * forward of the same microbatch on the stage before, the backward on the stage after). A pass includes
 * receiving its inputs where the cluster measured point-to-point sends ({@link PipelinePlan#receiveSeconds}).
 */
public record PipelineTimeline(List<List<Slot>> stages, double makespan) {

    /** One pass of one microbatch on one stage, from {@code start} to {@code end} seconds. */
    public record Slot(PipelineSchedule.Task task, double start, double end) {
    }

    /**
     * The timeline of a plan's stages under its schedule, on as many devices at once as its machine runs at
     * full speed ({@link io.github.alpa4j.planner.cost.DeviceCost#saturation()}).
     */
    public static PipelineTimeline of(PipelinePlan plan) {
        int s = plan.stages().size();
        double[] fwd = new double[s];
        double[] bwd = new double[s];
        int[] devices = new int[s];
        for (int i = 0; i < s; i++) {
            fwd[i] = plan.stages().get(i).cost().forwardSeconds() + plan.receiveSeconds(i, io.github.alpa4j.ir.Phase.FORWARD);
            bwd[i] = plan.stages().get(i).cost().backwardSeconds() + plan.receiveSeconds(i, io.github.alpa4j.ir.Phase.BACKWARD);
            devices[i] = plan.stages().get(i).mesh().deviceCount();
        }
        int slots = plan.cluster().gpu().cost().saturation();
        return shared(plan.schedule(), fwd, bwd, devices, plan.microbatches(), slots);
    }

    /**
     * The timeline of stages that take turns on a machine running {@code slots} devices at full speed: while
     * the passes under way need more devices than that, each runs at {@code slots} over their devices (the
     * machine shared evenly, as an operating system shares cores among threads); a pass starts as soon as its
     * stage is free and its input ready (the forward of the same microbatch on the stage before, the backward on the
     * stage after). With slots for every device, each pass takes its own time: the schedule as it is.
     */
    public static PipelineTimeline shared(PipelineSchedule schedule, double[] forward, double[] backward, int[] devices,
                                          int microbatches, int slots) {
        int s = forward.length;
        List<List<PipelineSchedule.Task>> order = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            order.add(schedule.stageOrder(s, microbatches, i));
        }
        double[][] fEnd = new double[s][microbatches];
        double[][] bEnd = new double[s][microbatches];
        for (int i = 0; i < s; i++) {
            Arrays.fill(fEnd[i], -1);
            Arrays.fill(bEnd[i], -1);
        }
        int[] next = new int[s];
        double[] left = new double[s];   // work left of the pass under way, seconds at full speed; NaN when idle
        double[] began = new double[s];
        Arrays.fill(left, Double.NaN);
        List<List<Slot>> slotsOf = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            slotsOf.add(new ArrayList<>());
        }
        double now = 0;
        int done = 0;
        int total = 2 * s * microbatches;
        while (done < total) {
            for (int i = 0; i < s; i++) {
                if (Double.isNaN(left[i]) && next[i] < order.get(i).size()) {
                    PipelineSchedule.Task t = order.get(i).get(next[i]);
                    int m = t.microbatch();
                    boolean fw = t.pass() == PipelineSchedule.Pass.FORWARD;
                    double ready = fw ? (i == 0 ? 0 : fEnd[i - 1][m]) : (i == s - 1 ? fEnd[i][m] : bEnd[i + 1][m]);
                    if (ready >= 0) {
                        left[i] = fw ? forward[i] : backward[i];
                        began[i] = now;
                    }
                }
            }
            int demand = 0;
            for (int i = 0; i < s; i++) {
                demand += Double.isNaN(left[i]) ? 0 : devices[i];
            }
            if (demand == 0) {
                throw new IllegalStateException("schedule " + schedule + " deadlocks");
            }
            double rate = Math.min(1, (double) slots / demand);
            double step = Double.POSITIVE_INFINITY;
            for (int i = 0; i < s; i++) {
                if (!Double.isNaN(left[i])) {
                    step = Math.min(step, left[i] / rate);
                }
            }
            now += step;
            for (int i = 0; i < s; i++) {
                if (Double.isNaN(left[i])) {
                    continue;
                }
                left[i] -= step * rate;
                if (left[i] <= 1e-12 * Math.max(1, now)) {
                    PipelineSchedule.Task t = order.get(i).get(next[i]);
                    (t.pass() == PipelineSchedule.Pass.FORWARD ? fEnd : bEnd)[i][t.microbatch()] = now;
                    slotsOf.get(i).add(new Slot(t, began[i], now));
                    left[i] = Double.NaN;
                    next[i]++;
                    done++;
                }
            }
        }
        return new PipelineTimeline(slotsOf.stream().map(List::copyOf).toList(), now);
    }

    /** The timeline of stages with the given forward and backward seconds per microbatch, each stage on its own devices. */
    public static PipelineTimeline simulate(PipelineSchedule schedule, double[] forward, double[] backward, int microbatches) {
        int[] one = new int[forward.length];
        Arrays.fill(one, 1);
        return shared(schedule, forward, backward, one, microbatches, Integer.MAX_VALUE);
    }
}
