package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.PoolStats;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Training on one GPU gives the CPU backend's losses (fp32, within 1e-4 relative at every step),
 * and steps after the first allocate no device memory. The 12-layer GPT's CPU numbers are too slow
 * for the GPU machine, so they are stored test resources (CpuReferenceLossesTest makes them): its first
 * loss always, its 20 losses where someone had the hours; CudaMeshGpuTest compares its 20 steps on a
 * mesh with this test's run on one GPU. Each run trains once per test JVM, whichever test asks first.
 */
@Tag("gpu")
class CudaBackendGpuTest {
    static final double FP32_TOLERANCE = 1e-4;
    private static final Map<String, List<Double>> LOSSES = new ConcurrentHashMap<>();

    @BeforeAll
    static void gpu() {
        GpuCheck.assumeGpu();
    }

    static List<Double> cpuLosses(GptRun run) {
        return LOSSES.computeIfAbsent(run.name() + " cpu", k -> {
            try (BackendRunner cpu = Backends.singleCpu(run.trainingGraph(), run.seed(), Set.of("loss"))) {
                return List.copyOf(run.losses(cpu));
            }
        });
    }

    static List<Double> gpuLosses(GptRun run, MatmulPrecision p) {
        return LOSSES.computeIfAbsent(run.name() + " cuda " + p.code(), k -> {
            try (BackendRunner gpu = Backends.singleCuda(run.trainingGraph(), p, run.seed(), Set.of("loss"))) {
                return List.copyOf(run.losses(gpu));
            }
        });
    }

    /**
     * The stored CPU losses of {@code run}; skips when none are stored (the 12-layer GPT's take hours on
     * a small CPU: see CpuReferenceLossesTest), fails when they were made for another step or data.
     */
    static List<Double> storedCpuLosses(GptRun run) {
        Optional<ReferenceLosses> ref = ReferenceLosses.stored(run);
        Assumptions.assumeTrue(ref.isPresent(), () -> "no stored CPU losses " + ReferenceLosses.resource(run)
                + " (CpuReferenceLossesTest makes them; hours on two cores)");
        assertThat(ref.get().fingerprint()).as("fingerprint of %s: the model, optimizer or data changed since the CPU losses "
                + "were stored; run CpuReferenceLossesTest again", ReferenceLosses.resource(run)).isEqualTo(run.fingerprint());
        return ref.get().losses();
    }

    /** The first step's loss on the CPU: the forward pass alone (its loss is the training step's, before any update). */
    static double cpuFirstLoss(GptRun run) {
        try (BackendRunner cpu = Backends.singleCpu(run.model().forward().keepOutputs(List.of("loss")), run.seed(), Set.of("loss"))) {
            return cpu.step(run.data().batch(0)).get("loss").item();
        }
    }

    @Test
    void foundation_gpt_trains_as_on_the_cpu() {
        GptRun run = GptRun.foundation();
        List<Double> want = cpuLosses(run);
        List<Double> got = gpuLosses(run, MatmulPrecision.FP32);
        double diff = GpuCheck.maxRelativeDifference(got, want);
        GpuCheck.report("gpt-foundation 1 GPU fp32", "max_rel_loss_diff", diff);
        assertThat(diff).as("losses %s vs cpu %s", got, want).isLessThan(FP32_TOLERANCE);
    }

    @Test
    void twelve_layer_gpt_starts_at_the_cpu_loss_and_trains() {
        GptRun run = GptRun.twelveLayer();
        double want = storedCpuLosses(run.firstStep()).getFirst();
        List<Double> got = gpuLosses(run, MatmulPrecision.FP32);
        double diff = Math.abs(got.getFirst() - want) / want;
        GpuCheck.report("gpt-12x768 1 GPU fp32", "first_loss_rel_diff_vs_stored_cpu", diff);
        GpuCheck.report("gpt-12x768 1 GPU fp32", "loss_first_last", String.format("%.4f -> %.4f", got.getFirst(), got.getLast()));
        assertThat(diff).as("first loss %s vs stored cpu forward %s", got.getFirst(), want).isLessThan(FP32_TOLERANCE);
        assertThat(got.getLast()).as("20 steps lower the loss: %s", got).isLessThan(got.getFirst());
    }

    @Test
    void twelve_layer_gpt_trains_as_on_the_cpu() {
        GptRun run = GptRun.twelveLayer();
        List<Double> want = storedCpuLosses(run);
        List<Double> got = gpuLosses(run, MatmulPrecision.FP32);
        double diff = GpuCheck.maxRelativeDifference(got, want);
        GpuCheck.report("gpt-12x768 1 GPU fp32", "max_rel_loss_diff_vs_stored_cpu", diff);
        assertThat(diff).as("losses %s vs cpu %s", got, want).isLessThan(FP32_TOLERANCE);
    }

    @Test
    void steps_after_the_first_allocate_no_device_memory() {
        GptRun run = GptRun.foundation();
        try (BackendRunner gpu = Backends.singleCuda(run.trainingGraph(), MatmulPrecision.BF16, run.seed(), Set.of("loss"))) {
            CudaBackend device = (CudaBackend) gpu.backends().getFirst();
            var data = run.data();
            gpu.step(data.batch(0));
            gpu.step(data.batch(1));
            PoolStats warm = device.poolStats();
            for (int s = 2; s < 7; s++) {
                gpu.step(data.batch(s));
            }
            PoolStats after = device.poolStats();
            GpuCheck.report("no cudaMalloc in a step", "mallocs_after_warmup", after.deviceMallocs() - warm.deviceMallocs());
            // the pool's own counters: the device's free memory also moves with other processes and the driver
            assertThat(after.deviceMallocs()).as("pool cudaMallocs after the second step").isEqualTo(warm.deviceMallocs());
            assertThat(after.deviceFrees()).as("pool cudaFrees after the second step").isEqualTo(warm.deviceFrees());
            assertThat(after.bytesInUse() + after.bytesCached()).as("device bytes the pool holds")
                    .isEqualTo(warm.bytesInUse() + warm.bytesCached());
            assertThat(after.reuses()).as("allocations served from the pool's cache").isGreaterThan(warm.reuses());
        }
    }

    @ParameterizedTest
    @EnumSource(value = MatmulPrecision.class, names = {"TF32", "BF16"})
    void reduced_precision_matmuls_stay_near_the_fp32_losses(MatmulPrecision p) {
        GptRun run = GptRun.foundation();
        List<Double> want = cpuLosses(run);
        List<Double> got = gpuLosses(run, p);
        double first = Math.abs(got.getFirst() - want.getFirst()) / want.getFirst();
        double diff = GpuCheck.maxRelativeDifference(got, want);
        GpuCheck.report("gpt-foundation 1 GPU " + p.code(), "max_rel_loss_diff", diff);
        // the first loss differs only by the forward pass's rounding; later ones by diverging updates too
        assertThat(first).as("first-step loss %s vs cpu %s", got.getFirst(), want.getFirst()).isLessThan(1e-2);
        assertThat(diff).as("losses %s vs cpu %s", got, want).isLessThan(5e-2);
        assertThat(got.getLast()).as("training lowers the loss").isLessThan(got.getFirst());
    }

    @Test
    void the_backend_round_trips_tensors_and_names_itself() {
        GptRun run = GptRun.foundation();
        try (BackendRunner gpu = Backends.singleCuda(run.trainingGraph(), MatmulPrecision.FP32, run.seed(), Set.of("loss"));
             BackendRunner cpu = Backends.singleCpu(run.trainingGraph(), run.seed(), Set.of("loss"))) {
            assertThat(gpu.description()).startsWith("cuda fp32 on ");
            Map<String, io.github.alpa4j.engine.tensor.Tensor> g = gpu.parameters();
            Map<String, io.github.alpa4j.engine.tensor.Tensor> c = cpu.parameters();
            assertThat(g.keySet()).isEqualTo(c.keySet());
            c.forEach((name, t) -> assertThat(g.get(name).floats()).as(name).containsExactly(t.floats()));
        }
    }
}
