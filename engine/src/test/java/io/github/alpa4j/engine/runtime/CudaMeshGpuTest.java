package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 2×2 mesh of logical devices on one GPU, running the automatic plan, trains as one device does
 * (fp32, within 1e-4 relative at every step): the foundation GPT as one CPU device, the 12-layer GPT
 * as one GPU (the run CudaBackendGpuTest makes, trained once per JVM) and as the stored CPU losses,
 * where they exist; its collectives are the same-GPU ones.
 */
@Tag("gpu")
class CudaMeshGpuTest {

    @BeforeAll
    static void gpu() {
        GpuCheck.assumeGpu();
    }

    static List<Double> meshLosses(GptRun run, String check) {
        IntraOpPlan plan = PlanMethod.AUTO.plan(run.trainingGraph(), GpuCheck.oneGpuMesh(2, 2),
                PlannerOptions.defaults().withTimeLimitSeconds(60));
        GpuCheck.report(check, "plan", plan.method() + " " + plan.status() + ", " + plan.collectives().size() + " collectives");
        try (BackendRunner mesh = Backends.cudaMesh(Lowering.lower(plan), MatmulPrecision.FP32, run.seed())) {
            List<Double> losses = run.losses(mesh);
            List<List<CollectiveRecord>> done = ((MeshRuntime<?, ?>) mesh.runner()).collectives();
            GpuCheck.report(check, "collectives_per_step", done.getFirst().size());
            GpuCheck.report(check, "step_ms", mesh.stepNanos() / 1e6 / run.steps());
            return losses;
        }
    }

    @Test
    void foundation_gpt_on_a_2x2_mesh_trains_as_one_cpu_device() {
        GptRun run = GptRun.foundation();
        List<Double> want = CudaBackendGpuTest.cpuLosses(run);
        List<Double> got = meshLosses(run, "gpt-foundation 2x2 on 1 GPU fp32");
        double diff = GpuCheck.maxRelativeDifference(got, want);
        GpuCheck.report("gpt-foundation 2x2 on 1 GPU fp32", "max_rel_loss_diff", diff);
        assertThat(diff).as("losses %s vs cpu %s", got, want).isLessThan(CudaBackendGpuTest.FP32_TOLERANCE);
    }

    @Test
    void twelve_layer_gpt_on_a_2x2_mesh_trains_as_on_one_gpu() {
        GptRun run = GptRun.twelveLayer();
        List<Double> want = CudaBackendGpuTest.gpuLosses(run, MatmulPrecision.FP32);
        List<Double> got = meshLosses(run, "gpt-12x768 2x2 on 1 GPU fp32");
        double diff = GpuCheck.maxRelativeDifference(got, want);
        GpuCheck.report("gpt-12x768 2x2 on 1 GPU fp32", "max_rel_loss_diff_vs_1_gpu", diff);
        assertThat(diff).as("losses %s vs one GPU %s", got, want).isLessThan(CudaBackendGpuTest.FP32_TOLERANCE);
        java.util.Optional<ReferenceLosses> ref = ReferenceLosses.stored(run);
        if (ref.isPresent() && ref.get().fingerprint().equals(run.fingerprint())) {
            double cpu = GpuCheck.maxRelativeDifference(got, ref.get().losses());
            GpuCheck.report("gpt-12x768 2x2 on 1 GPU fp32", "max_rel_loss_diff_vs_stored_cpu", cpu);
            assertThat(cpu).as("losses %s vs stored cpu %s", got, ref.get().losses()).isLessThan(CudaBackendGpuTest.FP32_TOLERANCE);
        }
    }
}
