package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.NamedLayers;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.RematMode;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rematerialisation: recomputing each layer's forward values in its backward pass trains as one device
 * without it (fp32, 20 steps), on a mesh and in a pipeline; the memory each device measures drops by
 * what the plan predicts.
 */
class RematerializationTrainingTest {
    static final int STEPS = 20;
    static final Optimizer ADAMW = Optimizer.AdamW.withLr(1e-3);

    static Model gpt(int batch) {
        return Models.gpt(new GptConfig(4, 4, 32, 16, 16, batch), Precision.FP32);
    }

    static DataSource data(Model m, int batch) {
        return new MarkovSource(16, batch, 16, 7, m.dataInput(), m.labelInput());
    }

    static List<Double> losses(StepRunner r, Model m, int batch) {
        DataSource d = data(m, batch);
        return java.util.stream.IntStream.range(0, STEPS).mapToObj(s -> (double) r.step(d.batch(s)).get("loss").item()).toList();
    }

    static void assertSame(List<Double> got, List<Double> want, StepRunner many, StepRunner one) {
        for (int s = 0; s < STEPS; s++) {
            assertThat(Math.abs(got.get(s) - want.get(s)) / want.get(s)).as("step %d: %s vs %s", s, got.get(s), want.get(s)).isLessThan(1e-5);
        }
        Map<String, Tensor> pw = one.parameters();
        Map<String, Tensor> pg = many.parameters();
        pw.forEach((p, w) -> assertThat(MeshRuntimeTest.maxRelative(pg.get(p).floats(), w.floats())).as(p).isLessThan(1e-4));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"DATA_PARALLEL", "MEGATRON", "AUTO"})
    void aRecomputingMeshTrainsAsOneDevice(PlanMethod method) {
        Model m = gpt(8);
        Graph g = MeshTraining.trainingGraph(m, ADAMW);
        StepRunner one = Backends.singleCpu(g, 11, Set.of("loss"));
        List<Double> want = losses(one, m, 8);
        try (BackendRunner many = Backends.cpuMesh(Lowering.lower(MeshTraining.plan(NamedLayers.recomputed(g), "1x4", method)), 11)) {
            assertSame(losses(many, m, 8), want, many, one);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dp=1,tp=1,pp=2", "dp=1,tp=2,pp=2"})
    void aRecomputingPipelineTrainsAsOneDevice(String degrees) {
        int microbatches = 4;
        Model whole = gpt(8);
        Graph micro = MeshTraining.trainingGraph(gpt(8 / microbatches), ADAMW);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        PipelinePlan plan = MegatronPipeline.plan(micro, microbatches, PipelineRuntimeTest.cpu(d.devices()), d,
                StageOptions.defaults().withRemat(RematMode.LAYERS));
        assertThat(plan.stages()).allSatisfy(st -> assertThat(st.graph().graph().nodes())
                .anySatisfy(n -> assertThat(n.name()).endsWith("/recompute")));
        StepRunner one = Backends.singleCpu(MeshTraining.trainingGraph(whole, ADAMW), 11, Set.of("loss"));
        List<Double> want = losses(one, whole, 8);
        try (BackendRunner many = Backends.cpuPipeline(plan, 11)) {
            assertSame(losses(many, whole, 8), want, many, one);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"DATA_PARALLEL", "MEGATRON"})
    void measuredPeakMemoryDropsAsThePlanPredicts(PlanMethod method) {
        Model m = gpt(16);
        Graph g = MeshTraining.trainingGraph(m, ADAMW);
        IntraOpPlan keep = MeshTraining.plan(g, "1x2", method);
        IntraOpPlan recompute = MeshTraining.plan(NamedLayers.recomputed(g), "1x2", method);
        long predicted = keep.workingMemoryBytes() - recompute.workingMemoryBytes();
        long measured = peak(keep, m) - peak(recompute, m);
        assertThat(predicted).isPositive();
        assertThat((double) measured).as("measured drop %d vs predicted %d", measured, predicted).isBetween(0.9 * predicted, 1.1 * predicted);
        assertThat(recompute.iterationTime()).as("recomputation costs time").isGreaterThan(keep.iterationTime());
    }

    static long peak(IntraOpPlan plan, Model m) {
        try (BackendRunner r = Backends.cpuMesh(Lowering.lower(plan), 5)) {
            DataSource d = data(m, 16);
            r.step(d.batch(0));
            r.step(d.batch(1));
            return Arrays.stream(r.peakBytesPerDevice()).max().orElseThrow();
        }
    }

    /**
     * {@code --remat auto}: under a budget no pipeline without recomputation meets, the stage DP recomputes
     * in the stage that needs it and not in the other (faster than recomputing everywhere); the plan trains
     * as one device; each device peaks within 10 % of its stage's planned memory.
     */
    @Test
    void theStageDpRecomputesOnlyTheStageThatNeedsIt() {
        int microbatches = 2;
        long budget = 1_100_000;
        Graph micro = MeshTraining.trainingGraph(gpt(16 / microbatches), ADAMW);
        StageOptions o = StageOptions.defaults().withMemoryBudgetBytes(budget);
        assertThatThrownBy(() -> PipelinePlanner.plan(micro, microbatches, PipelineRuntimeTest.cpu(2), o))
                .isInstanceOf(PlanningException.class);
        PipelinePlan auto = PipelinePlanner.plan(micro, microbatches, PipelineRuntimeTest.cpu(2), o.withRemat(RematMode.AUTO));
        PipelinePlan all = PipelinePlanner.plan(micro, microbatches, PipelineRuntimeTest.cpu(2), o.withRemat(RematMode.LAYERS));
        List<Boolean> recomputes = auto.stages().stream()
                .map(st -> st.graph().graph().nodes().stream().anyMatch(n -> n.name().endsWith("/recompute"))).toList();
        assertThat(recomputes).contains(true, false);
        assertThat(auto.iterationSeconds()).isLessThan(all.iterationSeconds());
        assertThat(auto.fits()).isTrue();
        Model whole = gpt(16);
        StepRunner one = Backends.singleCpu(MeshTraining.trainingGraph(whole, ADAMW), 11, Set.of("loss"));
        List<Double> want = losses(one, whole, 16);
        try (BackendRunner many = Backends.cpuPipeline(auto, 11)) {
            assertSame(losses(many, whole, 16), want, many, one);
            long[] peaks = many.peakBytesPerDevice();
            int device = 0;
            for (PipelineStage st : auto.stages()) {
                for (int k = 0; k < st.mesh().deviceCount(); k++) {
                    assertThat((double) peaks[device + k] / st.memoryBytes()).as("stage %d: measured %d, planned %d", st.index(),
                            peaks[device + k], st.memoryBytes()).isBetween(0.9, 1.1);
                }
                device += st.mesh().deviceCount();
            }
        }
    }
}
