package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mixed precision trains on a mesh and in a pipeline as one device does in the same precision: the
 * losses of 20 steps agree to the precision's machine epsilon (2^-7 for bf16, 2^-10 for f16), since
 * a sharded op rounds partial results where one device rounds the whole (as a GPU's tensor-parallel
 * matmul and its all-reduce do). The same run in fp32 differs from one device in the low precision by
 * more than fp32's tolerance, so the rounding does happen. fp16 runs loss-scaled (GradScaler's 2^16).
 */
class MixedPrecisionTrainingTest {
    static final int STEPS = 20;
    static final Optimizer ADAMW = Optimizer.AdamW.withLr(1e-3);

    static Stream<Arguments> meshCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : List.of(Precision.BF16, Precision.FP16)) {
            for (String model : List.of("mlp", "gpt")) {
                b.add(Arguments.of(p, model, "1x4", PlanMethod.DATA_PARALLEL));
                b.add(Arguments.of(p, model, "1x4", PlanMethod.DP_ZERO));
                b.add(Arguments.of(p, model, "1x4", PlanMethod.MEGATRON));
                b.add(Arguments.of(p, model, "2x2", PlanMethod.AUTO));
            }
        }
        return b.build();
    }

    static Stream<Arguments> pipelineCases() {
        return Stream.of(Precision.BF16, Precision.FP16).flatMap(p -> Stream.of("mlp", "gpt").flatMap(name -> Stream.of(
                Arguments.of(p, name, "dp=1,tp=1,pp=2"), Arguments.of(p, name, "dp=2,tp=1,pp=2,zero=1"))));
    }

    static Model model(String name, Precision p, int batch) {
        return name.equals("mlp")
                ? Models.mlp(new MlpConfig(16, List.of(32, 32, 32), 8, Activation.GELU, batch), p)
                : Models.gpt(new GptConfig(4, 4, 32, 8, 16, batch), p);
    }

    static int batch(String name) {
        return name.equals("mlp") ? 16 : 8;
    }

    static double epsilon(Precision p) {
        return switch (p) {
            case FP32 -> 0x1p-23;
            case BF16 -> 0x1p-7;
            case FP16 -> 0x1p-10;
        };
    }

    /** The training step in {@code p}: loss-scaled in fp16. */
    static Graph trainingGraph(Model m, Precision p) {
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", ADAMW, p.lossScaling()).keepOutputs(List.of("loss")));
    }

    @ParameterizedTest(name = "{0} {1} on {2} with {3}")
    @MethodSource("meshCases")
    void aMeshTrainsAsOneDeviceInTheSamePrecision(Precision p, String name, String mesh, PlanMethod method) {
        Model m = model(name, p, batch(name));
        Graph g = trainingGraph(m, p);
        List<Double> one = losses(Backends.singleCpu(g, 11, Set.of("loss")), name, m);
        try (BackendRunner many = Backends.cpuMesh(Lowering.lower(MeshTraining.plan(g, mesh, method)), 11)) {
            assertAgree(p, losses(many, name, m), one);
            assertThat(many.lossScaled()).isEqualTo(p.lossScaling());
        }
        assertRounds(name, one);
    }

    @ParameterizedTest(name = "{0} {1} megatron {2}")
    @MethodSource("pipelineCases")
    void aTwoStagePipelineTrainsAsOneDeviceInTheSamePrecision(Precision p, String name, String degrees) {
        int microbatches = 4;
        Model whole = model(name, p, batch(name));
        Graph micro = trainingGraph(model(name, p, batch(name) / microbatches), p);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        PipelinePlan plan = MegatronPipeline.plan(micro, microbatches, PipelineRuntimeTest.cpu(d.devices()), d, StageOptions.defaults());
        List<Double> one = losses(Backends.singleCpu(trainingGraph(whole, p), 11, Set.of("loss")), name, whole);
        try (BackendRunner many = Backends.cpuPipeline(plan, 11)) {
            assertAgree(p, losses(many, name, whole), one);
        }
        assertRounds(name, one);
    }

    /**
     * A pipeline casts each weight once per iteration, in a prologue before its first microbatch (with
     * zero=1 gathering the cast copy there too), and holds one copy for every microbatch in flight: each
     * device peaks within 10 % of its stage's planned memory.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dp=1,tp=1,pp=2", "dp=2,tp=1,pp=2,zero=1"})
    void aPipelineCastsEachWeightOncePerIterationAndPeaksAsPlanned(String degrees) {
        int microbatches = 4;
        GptConfig c = new GptConfig(4, 4, 32, 64, 16, 16);
        Model whole = Models.gpt(c, Precision.BF16);
        Graph micro = trainingGraph(Models.gpt(new GptConfig(4, 4, 32, 64, 16, 16 / microbatches), Precision.BF16), Precision.BF16);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        PipelinePlan plan = MegatronPipeline.plan(micro, microbatches, PipelineRuntimeTest.cpu(d.devices()), d, StageOptions.defaults());
        var program = io.github.alpa4j.engine.lower.PipelineLowering.lower(plan);
        for (var st : program.stages()) {
            var passes = st.devices().getFirst();
            long casts = passes.prologue().stream().filter(i -> i instanceof io.github.alpa4j.engine.lower.Instruction.Compute k
                    && k.op() instanceof io.github.alpa4j.ir.ElementwiseOp.Cast).count();
            assertThat(casts).as("stage %d's weight casts in its prologue", st.index())
                    .isEqualTo(st.stage().graph().graph().parameters().size());
            assertThat(passes.forward().compute()).noneMatch(i -> i instanceof io.github.alpa4j.engine.lower.Instruction.Compute k
                    && k.op() instanceof io.github.alpa4j.ir.ElementwiseOp.Cast && st.stage().graph().graph().node(k.node()).inputs().stream()
                    .allMatch(x -> st.stage().graph().graph().node(x).isVariable()));
        }
        try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
            r.step(new io.github.alpa4j.engine.data.MarkovSource(16, 16, 64, 7, whole.dataInput(), whole.labelInput()).batch(0));
            long[] peaks = r.peakBytesPerDevice();
            int device = 0;
            for (var st : plan.stages()) {
                for (int k = 0; k < st.mesh().deviceCount(); k++) {
                    assertThat((double) peaks[device + k] / st.memoryBytes()).as("stage %d device %d: measured %d, planned %d", st.index(), k,
                            peaks[device + k], st.memoryBytes()).isBetween(0.9, 1.1);
                }
                device += st.mesh().deviceCount();
            }
        }
    }

    /**
     * The losses of {@link #STEPS} steps. fp16 starts at a loss scale of 2^10, where no step overflows: at
     * 2^16 a product over the whole batch (one device) can overflow where the same over a microbatch (a
     * pipeline) does not, and the runs would skip different steps (LossScalingTest checks the skipping).
     */
    private static List<Double> losses(BackendRunner r, String name, Model m) {
        if (r.lossScaled()) {
            r.useLossScaling(LossScaler.Settings.defaults().withInitialScale(1024));
        }
        List<Double> out = new ArrayList<>();
        DataSource data = MeshTraining.data(name, m);
        for (int s = 0; s < STEPS; s++) {
            out.add((double) r.step(data.batch(s)).get("loss").item());
            assertThat(r.lastStepSkipped()).as("step %d overflowed", s).isFalse();
        }
        return out;
    }

    private static void assertAgree(Precision p, List<Double> got, List<Double> want) {
        for (int s = 0; s < STEPS; s++) {
            assertThat(Math.abs(got.get(s) - want.get(s)) / want.get(s)).as("%s step %d: %s vs %s", p, s, got.get(s), want.get(s))
                    .isLessThan(epsilon(p));
        }
    }

    /** One device in fp32 differs from {@code low} by more than fp32's tolerance somewhere: the low precision rounded. */
    private static void assertRounds(String name, List<Double> low) {
        Model m = model(name, Precision.FP32, batch(name));
        List<Double> fp32 = MeshTraining.losses(MeshTraining.single(MeshTraining.trainingGraph(m, ADAMW), 11),
                MeshTraining.data(name, m), STEPS);
        double most = 0;
        for (int s = 0; s < STEPS; s++) {
            most = Math.max(most, Math.abs(low.get(s) - fp32.get(s)) / fp32.get(s));
        }
        assertThat(most).as("largest relative loss difference from fp32").isGreaterThan(1e-5);
    }
}
