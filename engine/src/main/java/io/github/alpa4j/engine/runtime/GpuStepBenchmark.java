package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.ir.Graph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Training-step throughput of a model on one GPU at one matmul precision, and how fast its matrix
 * products run: inside a step (CUDA events around each product, bf16 casts included), the same
 * shapes run alone back to back, and the card's peak on a large square product of that precision.
 * Step times are wall-clock from the step's input upload to its loss download, medians over the
 * timed steps; product times are medians over repetitions on random operands.
 */
public final class GpuStepBenchmark {
    /** The square product whose rate stands for the card's peak. */
    static final int PEAK_SIZE = 8192;
    private static final int REPS = 10;

    private GpuStepBenchmark() {
    }

    /**
     * One precision's numbers.
     *
     * @param stepMillis           median wall-clock time of a training step
     * @param tokensPerSecond      tokens per step over {@code stepMillis}
     * @param firstLoss            loss of the first step (a sanity check against other precisions)
     * @param lastLoss             loss of the last timed step
     * @param matmulsPerStep       matrix products in one step
     * @param matmulFlops          their floating-point operations (2·m·n·k each)
     * @param matmulMillis         their summed GPU time inside one step
     * @param aloneMillis          the same products' summed GPU time when each shape runs alone, warm
     * @param peakTflops           this precision's rate on a {@value #PEAK_SIZE}³ product (bf16 operands given, no casts)
     * @param mallocsAfterWarmup   device allocations by the pool during the timed steps (0 expected)
     */
    public record Result(MatmulPrecision precision, int steps, double stepMillis, double tokensPerSecond, double firstLoss,
                         double lastLoss, int matmulsPerStep, double matmulFlops, double matmulMillis, double aloneMillis,
                         double peakTflops, long mallocsAfterWarmup) {

        public double matmulTflops() {
            return matmulFlops / (matmulMillis * 1e-3) / 1e12;
        }

        public double aloneTflops() {
            return matmulFlops / (aloneMillis * 1e-3) / 1e12;
        }

        /** Share of the step spent in matrix products. */
        public double matmulShare() {
            return matmulMillis / stepMillis;
        }

        /** One machine-readable line: {@code BENCH|engine|<precision>|key=value|...}. */
        public String line() {
            return String.format(java.util.Locale.ROOT,
                    "BENCH|engine|%s|tokens_per_s=%.1f|step_ms=%.2f|first_loss=%.5f|last_loss=%.5f|matmuls=%d|matmul_gflop=%.1f"
                            + "|matmul_ms=%.2f|matmul_tflops=%.2f|alone_ms=%.2f|alone_tflops=%.2f|peak_tflops=%.2f|matmul_share=%.3f"
                            + "|mallocs_after_warmup=%d",
                    precision.code(), tokensPerSecond, stepMillis, firstLoss, lastLoss, matmulsPerStep, matmulFlops / 1e9, matmulMillis,
                    matmulTflops(), aloneMillis, aloneTflops(), peakTflops, matmulShare(), mallocsAfterWarmup);
        }
    }

    /** Runs {@code warmup} untimed steps, then {@code steps} timed ones, one step with its products timed, then the products alone. */
    public static Result run(Model model, Graph graph, DataSource data, MatmulPrecision precision, int warmup, int steps, long seed,
                             int gpu) {
        if (steps < 1 || warmup < 1) {
            throw new IllegalArgumentException("needs at least one warm-up and one timed step");
        }
        try (BackendRunner r = Backends.singleCuda(gpu, graph, precision, seed, Set.of("loss"))) {
            CudaBackend dev = (CudaBackend) r.backends().getFirst();
            double first = StepBenchmark.warmUp(r, data, warmup);
            long mallocs = dev.poolStats().deviceMallocs();
            StepBenchmark.Steps timed = StepBenchmark.timed(r, data, warmup, steps, model.tokensPerStep(), first);
            mallocs = dev.poolStats().deviceMallocs() - mallocs;

            CudaMatmul mm = dev.matmul();
            mm.startTiming();
            r.step(data.batch((long) warmup + steps));
            List<CudaMatmul.Timed> products = mm.stopTiming();
            Map<GemmShape, Double> alone = new LinkedHashMap<>();
            double flops = 0;
            double inStep = 0;
            double aloneSum = 0;
            for (CudaMatmul.Timed t : products) {
                flops += t.shape().flops();
                inStep += t.millis();
                aloneSum += alone.computeIfAbsent(t.shape(), sh -> alone(dev, sh));
            }
            return new Result(precision, steps, timed.stepMillis(), timed.tokensPerSecond(), first, timed.lastLoss(), products.size(), flops,
                    inStep, aloneSum, peakTflops(dev), mallocs);
        }
    }

    /** Median GPU milliseconds of one product of shape {@code s} on random float32 operands, as steps run it. */
    private static double alone(CudaBackend dev, GemmShape s) {
        CudaMatmul mm = dev.matmul();
        try (DeviceBuffer a = random(dev, (long) s.batch() * s.m() * s.k(), 1);
             DeviceBuffer b = random(dev, (long) s.batch() * s.k() * s.n(), 2);
             DeviceBuffer c = dev.pool().allocate(4L * s.batch() * s.m() * s.n())) {
            mm.gemm(s, a, b, c);
            mm.startTiming();
            for (int i = 0; i < REPS; i++) {
                mm.gemm(s, a, b, c);
            }
            return median(mm.stopTiming());
        }
    }

    /** TFLOP/s of a {@value #PEAK_SIZE}³ product at the backend's precision, operands already in its operand type. */
    private static double peakTflops(CudaBackend dev) {
        int n = PEAK_SIZE;
        long elems = (long) n * n;
        GemmShape s = new GemmShape(false, false, n, n, n, 1);
        CudaMatmul mm = dev.matmul();
        boolean bf16 = mm.precision() == MatmulPrecision.BF16;
        try (DeviceBuffer a32 = random(dev, elems, 3);
             DeviceBuffer b32 = random(dev, elems, 4);
             DeviceBuffer a16 = dev.pool().allocate(bf16 ? 2 * elems : 256);
             DeviceBuffer b16 = dev.pool().allocate(bf16 ? 2 * elems : 256);
             DeviceBuffer c = dev.pool().allocate(4 * elems)) {
            DeviceBuffer a = a32;
            DeviceBuffer b = b32;
            if (bf16) {
                mm.toBf16(a32, a16, elems);
                mm.toBf16(b32, b16, elems);
                a = a16;
                b = b16;
            }
            mm.gemmOnly(s, a, b, c);
            mm.startTiming();
            for (int i = 0; i < REPS; i++) {
                mm.gemmOnly(s, a, b, c);
            }
            return s.flops() / (median(mm.stopTiming()) * 1e-3) / 1e12;
        }
    }

    /** A device buffer of n random floats in [-1, 1) (never zeros: they can run faster than real data). */
    private static DeviceBuffer random(CudaBackend dev, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (2 * r.nextDouble() - 1);
        }
        DeviceBuffer b = dev.pool().allocate(4 * n);
        dev.stream().copyToDevice(v, b);
        return b;
    }

    private static double median(List<CudaMatmul.Timed> t) {
        return StepBenchmark.median(t.stream().mapToDouble(CudaMatmul.Timed::millis).toArray());
    }
}
