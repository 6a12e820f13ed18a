package io.github.alpa4j.engine.profile;

import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.MeshRuntime;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.stage.StageCost;
import io.github.alpa4j.planner.stage.StageMeasurer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Alpa's stage profiling on simulated CPU devices: a candidate stage's plan lowered and run on its
 * own devices for a few steps on random inputs (ids and labels in range), its forward, backward and
 * update timed on the first device (medians after a warm-up step), its peak memory per device
 * measured. A stage is measured alone on its devices, as Alpa measures a stage on its own GPUs; the
 * bytes a further microbatch in flight adds are the cost model's.
 */
public final class StageProfiler implements StageMeasurer {
    private final int steps;
    private int measured;

    /** {@code steps} timed steps after one of warm-up. */
    public StageProfiler(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("stage profiling needs at least one timed step, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public StageCost measure(IntraOpPlan plan, StageCost analytic) {
        Map<String, Tensor> feeds = randomInputs(plan.graph(), 17);
        double[][] phases = new double[3][steps];
        long peak;
        try (BackendRunner r = Backends.cpuMesh(Lowering.lower(plan), 1)) {
            MeshRuntime<?, ?> rt = (MeshRuntime<?, ?>) r.runner();
            for (int s = -1; s < steps; s++) {
                r.step(feeds);
                double[] t = rt.lastStepPhaseSeconds();
                if (s >= 0) {
                    for (int p = 0; p < 3; p++) {
                        phases[p][s] = t[p];
                    }
                }
            }
            peak = r.peakBytes();
        }
        measured++;
        return new StageCost(median(phases[0]), median(phases[1]), median(phases[2]), peak, analytic.activationBytes());
    }

    /** Stages measured so far (the distinct ones: repeated structures are measured once). */
    public int measured() {
        return measured;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * A value for every input of {@code g}: floats around zero; ids and labels below the size of what
     * reads them (an embedding's table rows, a loss's classes).
     */
    static Map<String, Tensor> randomInputs(Graph g, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (!(n.op() instanceof SourceOp.Input)) {
                continue;
            }
            int size = Math.toIntExact(n.type().size());
            if (n.type().dtype() == DType.I32) {
                int bound = idBound(g, n);
                int[] v = new int[size];
                for (int i = 0; i < size; i++) {
                    v[i] = rng.nextInt(bound);
                }
                feeds.put(n.name(), Tensor.ofInts(n.type(), v));
            } else {
                float[] v = new float[size];
                for (int i = 0; i < size; i++) {
                    v[i] = (float) (0.1 * (rng.nextDouble() - 0.5));
                }
                feeds.put(n.name(), Tensor.of(n.type(), v));
            }
        }
        return feeds;
    }

    private static int idBound(Graph g, Node ids) {
        int bound = Integer.MAX_VALUE;
        for (int u : g.users(ids.id())) {
            Node user = g.node(u);
            int b = switch (user.op()) {
                case EmbeddingOp.Embedding e -> g.node(user.input(1)).type().dim(0);
                case EmbeddingOp.EmbeddingGrad e -> e.vocab();
                case LossOp.CrossEntropy c -> g.node(user.input(0)).type().dim(-1);
                case LossOp.CrossEntropyGrad c -> g.node(user.input(0)).type().dim(-1);
                default -> Integer.MAX_VALUE;
            };
            bound = Math.min(bound, b);
        }
        return bound == Integer.MAX_VALUE ? 1 : bound;
    }
}
