package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void a_cpu_mesh_trains_as_the_single_cpu_device() {
        GptRun run = new GptRun("small", new io.github.alpa4j.engine.model.GptConfig(2, 4, 32, 8, 16, 8), 1e-3, 5, 4);
        DeviceMesh mesh = DeviceMesh.parse(ClusterPresets.byName("cpu", 1), "2x2");
        List<Double> want;
        try (BackendRunner one = Backends.singleCpu(run.trainingGraph(), run.seed(), Set.of("loss"))) {
            assertThat(one.description()).isEqualTo("cpu");
            want = run.losses(one);
        }
        var plan = PlanMethod.DATA_PARALLEL.plan(run.trainingGraph(), mesh, PlannerOptions.defaults());
        try (BackendRunner many = Backends.cpuMesh(Lowering.lower(plan), run.seed())) {
            assertThat(many.backends()).hasSize(4);
            assertThat(many.description()).contains("2x2");
            assertThat(GpuCheck.maxRelativeDifference(run.losses(many), want)).isLessThan(1e-5);
        }
    }

    @Test
    void cuda_without_a_gpu_is_a_one_line_user_error_naming_the_fix() {
        Assumptions.assumeFalse(Gpu.probe().available(), "this machine has a GPU");
        GptRun run = GptRun.foundation();
        assertThatThrownBy(() -> Backends.singleCuda(run.trainingGraph(), MatmulPrecision.FP32, 1, Set.of("loss")))
                .isInstanceOf(UserInputException.class)
                .hasMessageStartingWith("--backend cuda: ")
                .hasMessageContaining("no GPU")
                .hasMessageContaining("--backend cpu")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(Backends::requireGpu).isInstanceOf(UserInputException.class);
    }

    @Test
    void precisions_parse_from_their_flag_spelling() {
        assertThat(MatmulPrecision.parse("fp32")).isEqualTo(MatmulPrecision.FP32);
        assertThat(MatmulPrecision.parse("TF32")).isEqualTo(MatmulPrecision.TF32);
        assertThat(MatmulPrecision.parse("bf16").gemm()).isEqualTo(io.github.alpa4j.cuda.GemmPrecision.BF16_INPUTS);
        assertThatThrownBy(() -> MatmulPrecision.parse("fp16")).isInstanceOf(UserInputException.class)
                .hasMessage("unknown precision 'fp16'; use one of fp32, tf32, bf16");
    }
}
