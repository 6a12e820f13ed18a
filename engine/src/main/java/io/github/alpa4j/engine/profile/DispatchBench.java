package io.github.alpa4j.engine.profile;

import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.Arrays;
import java.util.Map;

/**
 * Steps of a program of chained element-wise adds on tiny tensors, run by the engine's own mesh runtime on
 * simulated CPU devices: what the runtime spends on each instruction beyond its kernel (finding its buffers,
 * allocating and freeing, counting memory), which a kernel timed on its own does not see.
 */
final class DispatchBench {
    /** Elements of each device's block of the chained tensor. */
    static final int WIDTH = 8;
    private static final int WARMUP_STEPS = 400;
    private static final int ROUNDS = 5;
    private static final int STEPS_PER_ROUND = 100;

    private DispatchBench() {
    }

    /** The per-device type of each add of the chain on {@code devices} devices. */
    static TensorType local() {
        return TensorType.f32(2, WIDTH);
    }

    /** Seconds of one step of {@code ops} chained adds, data-parallel over a 1 x {@code devices} mesh: the median of rounds after a warm-up. */
    static double stepSeconds(int ops, int devices) {
        GraphBuilder b = new GraphBuilder();
        TensorType whole = TensorType.f32(2 * devices, WIDTH);
        Value x = b.input("x", whole, SourceOp.InputKind.DATA);
        Value y = x;
        for (int i = 0; i < ops; i++) {
            y = b.add(y, x);
        }
        b.output("y", y);
        Graph g = b.build();
        var plan = PlanMethod.parse("dp").plan(g, DeviceMesh.parse(ClusterPresets.byName(ClusterPresets.CPU_ANALYTIC, 1), "1x" + devices),
                PlannerOptions.defaults());
        Map<String, Tensor> feeds = Map.of("x", Tensor.of(whole, new float[(int) whole.size()]));
        try (BackendRunner r = Backends.cpuMesh(Lowering.lower(plan), 0)) {
            for (int i = 0; i < WARMUP_STEPS; i++) {
                r.runner().step(feeds);
            }
            double[] rounds = new double[ROUNDS];
            for (int k = 0; k < ROUNDS; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < STEPS_PER_ROUND; i++) {
                    r.runner().step(feeds);
                }
                rounds[k] = (System.nanoTime() - t0) * 1e-9 / STEPS_PER_ROUND;
            }
            Arrays.sort(rounds);
            return rounds[ROUNDS / 2];
        }
    }
}
