package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * When each forward and backward pass of an iteration runs, by simulating a schedule: a stage runs its
 * passes in the schedule's order, each as soon as the stage is free and its input is ready (the
 * forward of the same microbatch on the stage before, the backward on the stage after). Transfers
 * between stages take no time here, as in the pipeline formula.
 */
public record PipelineTimeline(List<List<Slot>> stages, double makespan) {

    /** One pass of one microbatch on one stage, from {@code start} to {@code end} seconds. */
    public record Slot(PipelineSchedule.Task task, double start, double end) {
    }

    /** The timeline of a plan's stages under its schedule. */
    public static PipelineTimeline of(PipelinePlan plan) {
        int s = plan.stages().size();
        double[] fwd = new double[s];
        double[] bwd = new double[s];
        for (int i = 0; i < s; i++) {
            fwd[i] = plan.stages().get(i).cost().forwardSeconds();
            bwd[i] = plan.stages().get(i).cost().backwardSeconds();
        }
        return simulate(plan.schedule(), fwd, bwd, plan.microbatches());
    }

    /** The timeline of stages with the given forward and backward seconds per microbatch. */
    public static PipelineTimeline simulate(PipelineSchedule schedule, double[] forward, double[] backward, int microbatches) {
        int s = forward.length;
        List<List<PipelineSchedule.Task>> order = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            order.add(schedule.stageOrder(s, microbatches, i));
        }
        double[][] fEnd = new double[s][microbatches];
        double[][] bEnd = new double[s][microbatches];
        for (double[] row : fEnd) {
            Arrays.fill(row, -1);
        }
        for (double[] row : bEnd) {
            Arrays.fill(row, -1);
        }
        int[] next = new int[s];
        double[] free = new double[s];
        List<List<Slot>> slots = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            slots.add(new ArrayList<>());
        }
        int left = 2 * s * microbatches;
        while (left > 0) {
            boolean moved = false;
            for (int i = 0; i < s; i++) {
                while (next[i] < order.get(i).size()) {
                    PipelineSchedule.Task t = order.get(i).get(next[i]);
                    int m = t.microbatch();
                    boolean isForward = t.pass() == PipelineSchedule.Pass.FORWARD;
                    double ready = isForward ? (i == 0 ? 0 : fEnd[i - 1][m]) : (i == s - 1 ? fEnd[i][m] : bEnd[i + 1][m]);
                    if (ready < 0) {
                        break;
                    }
                    double start = Math.max(ready, free[i]);
                    double end = start + (isForward ? forward[i] : backward[i]);
                    (isForward ? fEnd : bEnd)[i][m] = end;
                    free[i] = end;
                    slots.get(i).add(new Slot(t, start, end));
                    next[i]++;
                    left--;
                    moved = true;
                }
            }
            if (!moved) {
                throw new IllegalStateException("schedule " + schedule + " deadlocks");
            }
        }
        double makespan = 0;
        for (double f : free) {
            makespan = Math.max(makespan, f);
        }
        return new PipelineTimeline(slots.stream().map(List::copyOf).toList(), makespan);
    }
}
