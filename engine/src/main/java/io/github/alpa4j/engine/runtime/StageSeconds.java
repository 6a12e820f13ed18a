package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.engine.lower.StageProgram;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline's measured stage times, step by step: for each stage the mean seconds per microbatch of its
 * forward and of its backward pass ([stage][0 forward, 1 backward]), as its first device measured them
 * (waiting for other stages excluded). Under several processes each stage's numbers are the ones of the
 * process driving its first device, shared with every process.
 */
final class StageSeconds {
    private final List<double[][]> steps = new ArrayList<>();

    /** Adds the step whose passes {@code timings} holds (per device, stages in order). */
    void record(PipelineProgram program, List<List<PipelineRuntime.TaskTiming>> timings, RankGroup ranks) {
        double[][] step = new double[program.stages().size()][2];
        for (StageProgram st : program.stages()) {
            int[] count = new int[2];
            for (PipelineRuntime.TaskTiming t : timings.get(st.firstDevice())) {
                step[st.index()][t.pass().ordinal()] += t.computeNanos() * 1e-9;
                count[t.pass().ordinal()]++;
            }
            for (int k = 0; k < 2; k++) {
                step[st.index()][k] /= Math.max(1, count[k]);
            }
        }
        steps.add(ranks.size() == 1 ? step : shared(program, ranks, step));
    }

    List<double[][]> perStep() {
        return List.copyOf(steps);
    }

    /** Each stage's seconds as the process driving its first device measured them. */
    private static double[][] shared(PipelineProgram program, RankGroup ranks, double[][] mine) {
        ByteBuffer out = ByteBuffer.allocate(16 * mine.length);
        for (double[] st : mine) {
            out.putDouble(st[0]).putDouble(st[1]);
        }
        List<byte[]> all = ranks.allGather(out.array());
        double[][] step = new double[mine.length][2];
        for (StageProgram st : program.stages()) {
            ByteBuffer in = ByteBuffer.wrap(all.get(ranks.rankOf(st.firstDevice())));
            step[st.index()][0] = in.getDouble(16 * st.index());
            step[st.index()][1] = in.getDouble(16 * st.index() + 8);
        }
        return step;
    }
}
