package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.ImageTeacherSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.WideResNet;
import io.github.alpa4j.engine.model.WideResNetConfig;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small Wide-ResNet (4 bottleneck blocks, batch norm with batch statistics) trains on the simulated
 * CPU mesh, under the automatic and the manual plans, and in 2-stage pipelines, as one device does:
 * losses within 1e-5 over 10 steps, parameters within 1e-4 (SGD with momentum). Batch norm normalises
 * over the batch it is given, so a pipeline of several microbatches is compared with one device
 * accumulating the same microbatches (a 1-stage pipeline); with one microbatch, with plain training.
 */
class WideResNetTrainingTest {
    static final int STEPS = 10;
    static final int BATCH = 16;
    static final Optimizer SGD = new Optimizer.Sgd(0.05, 0.9, 0);

    static Model model(int batch) {
        return WideResNet.build(WideResNetConfig.of(14, 2, 8, 8, 4, batch), Precision.FP32);
    }

    static DataSource data(Model m) {
        return new ImageTeacherSource(BATCH, 8, 3, 4, 7, m.dataInput(), m.labelInput());
    }

    @ParameterizedTest(name = "{1} on {0}")
    @CsvSource({"1x2, auto", "1x2, dp", "1x2, megatron", "2x2, auto", "2x2, dp", "2x2, dp-megatron", "1x4, megatron"})
    void meshTrainingEqualsOneDevice(String mesh, String method) {
        Model m = model(BATCH);
        Graph g = MeshTraining.trainingGraph(m, SGD);
        IntraOpPlan plan = MeshTraining.plan(g, mesh, PlanMethod.parse(method));
        SingleDeviceExecutor<float[], int[]> one = MeshTraining.single(g, 11);
        try (MeshRuntime<float[], int[]> many = MeshTraining.mesh(plan, 11)) {
            assertSame(MeshTraining.losses(one, data(m), STEPS), MeshTraining.losses(many, data(m), STEPS),
                    one.parameters(), many.parameters());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"megatron:dp=1,tp=1,pp=2", "megatron:dp=2,tp=1,pp=2", "megatron:dp=1,tp=2,pp=2"})
    void twoStagePipelineOfOneMicrobatchEqualsOneDevice(String degrees) {
        Model whole = model(BATCH);
        Graph g = PipelineRuntimeTest.trainingGraph(whole, SGD);
        MegatronPipeline.Degrees d = MegatronPipeline.parse(degrees);
        PipelinePlan plan = MegatronPipeline.plan(g, 1, PipelineRuntimeTest.cpu(d.devices()), d, StageOptions.defaults());
        assertThat(plan.stages()).hasSize(2);
        StepRunner one = Backends.singleCpu(g, 11, Set.of("loss"));
        try (BackendRunner many = Backends.cpuPipeline(plan, 11)) {
            assertSame(MeshTraining.losses(one, data(whole), STEPS), MeshTraining.losses(many, data(whole), STEPS),
                    one.parameters(), many.parameters());
        }
    }

    @Test
    void automaticPipelineEqualsOneDevice() {
        Model whole = model(BATCH);
        Graph g = PipelineRuntimeTest.trainingGraph(whole, SGD);
        PipelinePlan plan = PipelinePlanner.plan(g, 1, PipelineRuntimeTest.cpu(4), StageOptions.defaults());
        StepRunner one = Backends.singleCpu(g, 11, Set.of("loss"));
        try (BackendRunner many = Backends.cpuPipeline(plan, 11)) {
            assertSame(MeshTraining.losses(one, data(whole), STEPS), MeshTraining.losses(many, data(whole), STEPS),
                    one.parameters(), many.parameters());
        }
    }

    @Test
    void twoStagesOfTwoMicrobatchesEqualOneDeviceAccumulatingThem() {
        Model whole = model(BATCH);
        Graph micro = PipelineRuntimeTest.trainingGraph(model(BATCH / 2), SGD);
        PipelinePlan oneStage = MegatronPipeline.plan(micro, 2, PipelineRuntimeTest.cpu(1), MegatronPipeline.parse("megatron:dp=1,tp=1,pp=1"),
                StageOptions.defaults());
        PipelinePlan twoStages = MegatronPipeline.plan(micro, 2, PipelineRuntimeTest.cpu(4), MegatronPipeline.parse("megatron:dp=2,tp=1,pp=2"),
                StageOptions.defaults());
        try (BackendRunner one = Backends.cpuPipeline(oneStage, 11); BackendRunner many = Backends.cpuPipeline(twoStages, 11)) {
            assertSame(MeshTraining.losses(one, data(whole), STEPS), MeshTraining.losses(many, data(whole), STEPS),
                    one.parameters(), many.parameters());
        }
    }

    private static void assertSame(List<Double> want, List<Double> got, Map<String, Tensor> pw, Map<String, Tensor> pg) {
        for (int s = 0; s < STEPS; s++) {
            assertThat(Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s))).as("step %d loss %s vs %s", s, got.get(s), want.get(s))
                    .isLessThan(1e-5);
        }
        assertThat(pg.keySet()).containsExactlyInAnyOrderElementsOf(pw.keySet());
        pw.forEach((p, w) -> assertThat(MeshRuntimeTest.maxRelative(pg.get(p).floats(), w.floats())).as(p).isLessThan(1e-4));
    }
}
