package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Training-step throughput on any backend: untimed warm-up steps, then the median wall-clock time of
 * the timed ones, each from its input upload to its loss download. {@link GpuStepBenchmark} adds the
 * rates of a CUDA step's matrix products; the CPU backend's numbers stand in for them in the GPU
 * check's dry run ({@code scripts/gpu-check.sh --dry-run}).
 */
public final class StepBenchmark {
    private StepBenchmark() {
    }

    /**
     * What the timed steps gave.
     *
     * @param firstLoss        loss of the first (warm-up) step, a sanity check across backends and precisions
     * @param lastLoss         loss of the last timed step
     * @param stepMillis       median wall-clock time of a timed step
     * @param tokensPerSecond  tokens per step over {@code stepMillis}
     */
    public record Steps(double firstLoss, double lastLoss, double stepMillis, double tokensPerSecond) {

        /** The CPU backend's line for gpu-check.sh: {@code BENCH|engine|fp32|backend=cpu|tokens_per_s=...}. */
        public String cpuLine() {
            return String.format(Locale.ROOT, "BENCH|engine|fp32|backend=cpu|tokens_per_s=%.1f|step_ms=%.2f|first_loss=%.5f|last_loss=%.5f",
                    tokensPerSecond, stepMillis, firstLoss, lastLoss);
        }
    }

    /** Runs batches {@code 0 .. warmup-1} untimed; returns the first step's loss. */
    static double warmUp(StepRunner r, DataSource data, int warmup) {
        double first = loss(r, data.batch(0));
        for (long s = 1; s < warmup; s++) {
            loss(r, data.batch(s));
        }
        return first;
    }

    /** Times one step on each of batches {@code warmup .. warmup+steps-1}. */
    static Steps timed(StepRunner r, DataSource data, int warmup, int steps, long tokensPerStep, double firstLoss) {
        double[] ms = new double[steps];
        double last = Double.NaN;
        for (int i = 0; i < steps; i++) {
            Map<String, Tensor> batch = data.batch(warmup + i);
            long t0 = System.nanoTime();
            last = loss(r, batch);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double step = median(ms);
        return new Steps(firstLoss, last, step, tokensPerStep / (step * 1e-3));
    }

    /** The training step {@code graph} on one CPU device (fp32 products: the CPU has no other). */
    public static Steps onCpu(Graph graph, DataSource data, long tokensPerStep, int warmup, int steps, long seed) {
        if (steps < 1 || warmup < 1) {
            throw new IllegalArgumentException("needs at least one warm-up and one timed step");
        }
        try (BackendRunner r = Backends.singleCpu(graph, seed, Set.of("loss"))) {
            double first = warmUp(r, data, warmup);
            return timed(r, data, warmup, steps, tokensPerStep, first);
        }
    }

    private static double loss(StepRunner r, Map<String, Tensor> batch) {
        return r.step(batch).get("loss").item();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
