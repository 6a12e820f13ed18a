package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import java.util.List;

/**
 * A fake clock whose speed follows the clocks set: an iteration replayed on each stage's first device in the order its
 * schedule ran the instructions, each lasting the profile's time at the clock its controller was handed, starting when
 * its device is free and its inputs are ready ({@code F(s,m)} after {@code F(s-1,m)}, {@code B(s,m)} after
 * {@code B(s+1,m)}; transfers take no time, as in the Perseus DAG). Where clocks can only be reported (a dry run, simulated
 * devices), this is the iteration time the plan would give; it checks that the controllers followed the plan in the
 * schedule's order.
 */
public final class ScheduleReplay {
    private ScheduleReplay() {
    }

    /** The replayed iteration's length, seconds; {@code handed} as {@link StageClocks#takeHanded()} returns it. */
    public static double seconds(List<List<List<StageClocks.Handed>>> handed, Profile profile) {
        int stages = handed.size();
        int microbatches = handed.get(0).get(0).size() / 2;
        double[][] forwardEnd = new double[stages][microbatches];
        double[][] backwardEnd = new double[stages][microbatches];
        boolean[][] forwardDone = new boolean[stages][microbatches];
        boolean[][] backwardDone = new boolean[stages][microbatches];
        int[] next = new int[stages];
        double[] free = new double[stages];
        int left = 0;
        for (List<List<StageClocks.Handed>> s : handed) {
            left += s.get(0).size();
        }
        double end = 0;
        while (left > 0) {
            boolean progress = false;
            for (int s = 0; s < stages; s++) {
                List<StageClocks.Handed> order = handed.get(s).get(0);
                while (next[s] < order.size()) {
                    StageClocks.Handed h = order.get(next[s]);
                    int m = h.microbatch();
                    boolean forward = h.pass() == PipelineSchedule.Pass.FORWARD;
                    double ready;
                    if (forward) {
                        if (s > 0 && !forwardDone[s - 1][m]) {
                            break;
                        }
                        ready = s > 0 ? forwardEnd[s - 1][m] : 0;
                    } else {
                        boolean last = s == stages - 1;
                        if (last ? !forwardDone[s][m] : !backwardDone[s + 1][m]) {
                            break;
                        }
                        ready = last ? forwardEnd[s][m] : backwardEnd[s + 1][m];
                    }
                    double t = LiveFrontier.nearest(profile, s, forward ? Instruction.FORWARD : Instruction.BACKWARD, h.mhz()).timeSeconds();
                    double finish = Math.max(free[s], ready) + t;
                    free[s] = finish;
                    if (forward) {
                        forwardEnd[s][m] = finish;
                        forwardDone[s][m] = true;
                    } else {
                        backwardEnd[s][m] = finish;
                        backwardDone[s][m] = true;
                    }
                    end = Math.max(end, finish);
                    next[s]++;
                    left--;
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException("the instructions handed over cannot be ordered as a pipeline: " + handed);
            }
        }
        return end;
    }
}
