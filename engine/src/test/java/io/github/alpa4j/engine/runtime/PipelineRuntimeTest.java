package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.data.TeacherSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.StageCost;

/**
 * Pipelined training (stages on disjoint simulated devices, 4 microbatches, GPipe and 1F1B) gives the
 * losses and parameters of one device training on the whole batch. Parameters are held to 1e-4 under
 * SGD with momentum; under AdamW to 1e-3, because Adam's g/(|g|+eps) turns the last-bit differences of
 * summing a gradient in another order into visible update differences on the few elements whose
 * gradient cancels to about eps (measured: an embedding element with |g| ≈ 3e-8 moves 2.5e-5 apart
 * over 10 steps, while the summed gradients agree to 6e-8 of 0.85).
 */
class PipelineRuntimeTest {
    static final int STEPS = 10;
    static final int MICROBATCHES = 4;
    static final Optimizer ADAMW = Optimizer.AdamW.withLr(1e-3);
    static final Optimizer SGD = new Optimizer.Sgd(0.05, 0.9, 0);

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String model : List.of("mlp", "gpt")) {
            for (String degrees : List.of("dp=1,tp=1,pp=2", "dp=1,tp=1,pp=4", "dp=2,tp=1,pp=2", "dp=1,tp=2,pp=2", "dp=2,tp=1,pp=4")) {
                for (PipelineSchedule s : PipelineSchedule.values()) {
                    b.add(Arguments.of(model, degrees, s, "adamw"));
                    b.add(Arguments.of(model, degrees, s, "sgd"));
                }
            }
        }
        return b.build();
    }

    /** The model at {@code batch} samples: 4 layers either way, so that 2 and 4 stages split it evenly. */
    static Model model(String name, int batch) {
        return name.equals("mlp")
                ? Models.mlp(new MlpConfig(16, List.of(32, 32, 32), 8, Activation.GELU, batch))
                : Models.gpt(new GptConfig(4, 4, 32, 8, 16, batch));
    }

    static int batch(String name) {
        return name.equals("mlp") ? 16 : 8;
    }

    static DataSource data(String name, Model m) {
        return name.equals("mlp") ? new TeacherSource(16, 8, batch(name), 7, m.dataInput(), m.labelInput())
                : new MarkovSource(16, batch(name), 8, 7, m.dataInput(), m.labelInput());
    }

    static Graph trainingGraph(Model m, Optimizer opt) {
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", opt).keepOutputs(List.of("loss")));
    }

    static Optimizer optimizer(String name) {
        return name.equals("sgd") ? SGD : ADAMW;
    }

    /** The CPU preset's simulated devices, {@code devices} of them on one host. */
    static Cluster cpu(int devices) {
        Cluster c = ClusterPresets.byName("cpu", 1);
        return new Cluster(c.name(), 1, devices, c.gpu(), c.intraHost(), c.interHost());
    }

    @ParameterizedTest(name = "{0} megatron {1} {2} {3}")
    @MethodSource("cases")
    void pipelinedTrainingEqualsOneDevice(String name, String degrees, PipelineSchedule schedule, String opt) {
        Graph micro = trainingGraph(model(name, batch(name) / MICROBATCHES), optimizer(opt));
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, cpu(d.devices()), d,
                StageOptions.defaults().withSchedule(schedule));
        assertThat(plan.stages()).hasSize(d.pp());
        assertSameAsOneDevice(name, plan, optimizer(opt));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"mlp", "gpt"})
    void gradientReductionsRunOncePerIterationAndMemoryReturnsToTheVariables(String name) {
        long[] allReduces = new long[2];
        int k = 0;
        for (int m : new int[] {1, MICROBATCHES}) {
            Graph micro = trainingGraph(model(name, batch(name) / m), SGD);
            PipelinePlan plan = MegatronPipeline.plan(micro, m, cpu(4), MegatronPipeline.parse("megatron:dp=2,tp=1,pp=2"),
                    StageOptions.defaults());
            try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
                PipelineRuntime<?, ?> rt = (PipelineRuntime<?, ?>) r.runner();
                long[] variables = rt.liveBytesPerDevice();
                for (int step = 0; step < 2; step++) {
                    r.step(data(name, model(name, batch(name))).batch(step));
                    assertThat(rt.liveBytesPerDevice()).as("bytes held after step %d", step).containsExactly(variables);
                }
                allReduces[k++] = rt.collectives().get(0).stream().filter(c -> c.kind() == CollectiveKind.ALL_REDUCE).count();
            }
        }
        // data-parallel stages: the only all-reduces are the gradients', once per iteration however many microbatches
        assertThat(allReduces[0]).isPositive();
        assertThat(allReduces[1]).isEqualTo(allReduces[0]);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {"gpt | megatron:dp=1,tp=2,pp=2 | dp", "gpt | megatron:dp=2,tp=1,pp=2 | megatron",
        "mlp | megatron:dp=1,tp=2,pp=2 | dp"})
    void stagesWithDifferentLayoutsExchangeTheBlocksEachNeeds(String name, String megatron, String secondStage) {
        // stage 1 re-planned with another manual plan: activations and gradients change layout between stages,
        // so receivers need blocks from several senders (and replicas from one sender)
        Graph micro = trainingGraph(model(name, batch(name) / MICROBATCHES), SGD);
        PipelinePlan meg = MegatronPipeline.plan(micro, MICROBATCHES, cpu(4), MegatronPipeline.parse(megatron), StageOptions.defaults());
        PipelineStage s1 = meg.stages().get(1);
        IntraOpPlan other = PlanMethod.parse(secondStage).plan(s1.graph().graph(), s1.mesh(), PlannerOptions.defaults());
        PipelineStage replanned = new PipelineStage(1, s1.firstLayer(), s1.lastLayer(), s1.submesh(), s1.mesh(), s1.graph(), other,
                StageCost.of(other), s1.inflight());
        PipelinePlan plan = new PipelinePlan("mixed", meg.cluster(), meg.graph(), meg.layering(), MICROBATCHES, meg.schedule(),
                List.of(meg.stages().get(0), replanned), meg.transfers(), meg.memoryBudgetBytes(), java.util.Optional.empty());
        assertSameAsOneDevice(name, plan, SGD);
    }

    @Test
    void oneMicrobatchIsPlainPipelining() {
        String name = "gpt";
        Graph micro = trainingGraph(model(name, batch(name)), ADAMW);
        PipelinePlan plan = MegatronPipeline.plan(micro, 1, cpu(2), MegatronPipeline.parse("megatron:dp=1,tp=1,pp=2"),
                StageOptions.defaults());
        assertSameAsOneDevice(name, plan, ADAMW);
    }

    @Test
    void automaticPipelineOnTheCpuMeshEqualsOneDevice() {
        String name = "gpt";
        Graph micro = trainingGraph(model(name, batch(name) / MICROBATCHES), ADAMW);
        PipelinePlan plan = PipelinePlanner.plan(micro, MICROBATCHES, cpu(4), StageOptions.defaults());
        assertSameAsOneDevice(name, plan, ADAMW);
    }

    @Test
    void stagesSendOnlyTheBlocksEachReceiverHolds() {
        // 2 stages of 1x2 meshes, data parallel: each receiving device needs half of each activation
        String name = "mlp";
        Graph micro = trainingGraph(model(name, batch(name) / MICROBATCHES), SGD);
        PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, cpu(4), MegatronPipeline.parse("megatron:dp=2,tp=1,pp=2"),
                StageOptions.defaults());
        try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
            Model m = model(name, batch(name));
            r.step(data(name, m).batch(0));
            PipelineRuntime<?, ?> rt = (PipelineRuntime<?, ?>) r.runner();
            long whole = plan.transfers().stream().mapToLong(t -> t.bytes()).sum() * MICROBATCHES;
            // every transfer is split over the two devices of a batch-split mesh: the whole value once, not twice
            assertThat(rt.lastStepTransferBytes()).isEqualTo(whole);
            assertThat(rt.collectives()).allSatisfy(d -> assertThat(d).anyMatch(c -> c.kind() == CollectiveKind.SEND_RECV));
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(PipelineSchedule.class)
    void stagesRunTheirScheduleAndWaitForTheirNeighbours(PipelineSchedule schedule) {
        String name = "gpt";
        Graph micro = trainingGraph(model(name, batch(name) / MICROBATCHES), SGD);
        PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, cpu(4), MegatronPipeline.parse("megatron:dp=1,tp=1,pp=4"),
                StageOptions.defaults().withSchedule(schedule));
        try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
            r.step(data(name, model(name, batch(name))).batch(0));
            List<List<PipelineRuntime.TaskTiming>> tasks = ((PipelineRuntime<?, ?>) r.runner()).lastStepTasks();
            assertThat(tasks).hasSize(4);
            Map<String, PipelineRuntime.TaskTiming> byKey = new java.util.HashMap<>();
            for (int s = 0; s < 4; s++) {
                List<PipelineSchedule.Task> want = schedule.stageOrder(4, MICROBATCHES, s);
                List<PipelineRuntime.TaskTiming> got = tasks.get(s);
                assertThat(got).hasSize(want.size());
                for (int i = 0; i < want.size(); i++) {
                    assertThat(got.get(i).microbatch()).isEqualTo(want.get(i).microbatch());
                    assertThat(got.get(i).pass()).isEqualTo(want.get(i).pass());
                    assertThat(got.get(i).computeNanos()).isPositive();
                    assertThat(got.get(i).startNanos()).isLessThanOrEqualTo(got.get(i).receivedNanos());
                    assertThat(got.get(i).computedNanos()).isLessThanOrEqualTo(got.get(i).endNanos());
                    if (i > 0) {
                        assertThat(got.get(i).startNanos()).isGreaterThanOrEqualTo(got.get(i - 1).endNanos());
                    }
                    byKey.put(s + "/" + got.get(i).pass() + "/" + got.get(i).microbatch(), got.get(i));
                }
            }
            // a forward receives only what the previous stage's forward computed, a backward what the next stage's backward did
            for (int s = 1; s < 4; s++) {
                for (int m = 0; m < MICROBATCHES; m++) {
                    assertThat(byKey.get(s + "/FORWARD/" + m).receivedNanos())
                            .isGreaterThanOrEqualTo(byKey.get((s - 1) + "/FORWARD/" + m).computedNanos());
                    assertThat(byKey.get((s - 1) + "/BACKWARD/" + m).receivedNanos())
                            .isGreaterThanOrEqualTo(byKey.get(s + "/BACKWARD/" + m).computedNanos());
                }
            }
        }
    }

    static Stream<Arguments> memoryCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String degrees : List.of("dp=1,tp=1,pp=2", "dp=2,tp=1,pp=2", "dp=1,tp=2,pp=2", "dp=1,tp=1,pp=4")) {
            for (PipelineSchedule s : PipelineSchedule.values()) {
                b.add(Arguments.of(degrees, s));
            }
        }
        return b.build();
    }

    /** The planner's memory model (weights, states, in-flight activations under the schedule, workspace) against the runtime. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("memoryCases")
    void eachStagePeaksWithinTenPercentOfThePlannedMemory(String degrees, PipelineSchedule schedule) {
        Model whole = Models.gpt(new GptConfig(4, 4, 32, 64, 16, 16));
        Graph micro = trainingGraph(Models.gpt(new GptConfig(4, 4, 32, 64, 16, 16 / MICROBATCHES)), ADAMW);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:" + degrees);
        PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, cpu(d.devices()), d, StageOptions.defaults().withSchedule(schedule));
        try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
            r.step(new MarkovSource(16, 16, 64, 7, whole.dataInput(), whole.labelInput()).batch(0));
            long[] peaks = r.peakBytesPerDevice();
            int device = 0;
            for (PipelineStage s : plan.stages()) {
                for (int k = 0; k < s.mesh().deviceCount(); k++) {
                    double ratio = (double) peaks[device + k] / s.memoryBytes();
                    assertThat(ratio).as("stage %d device %d: measured %d bytes, planned %d", s.index(), k, peaks[device + k],
                            s.memoryBytes()).isBetween(0.9, 1.1);
                }
                device += s.mesh().deviceCount();
            }
        }
    }

    @Test
    void oneFOneBHoldsFewerMicrobatchesThanGPipe() {
        // long sequences, so that activations, not weights, set each stage's peak
        Model whole = Models.gpt(new GptConfig(4, 4, 32, 64, 16, 16));
        Graph micro = trainingGraph(Models.gpt(new GptConfig(4, 4, 32, 64, 16, 16 / MICROBATCHES)), SGD);
        long[][] peaks = new long[2][];
        for (PipelineSchedule s : PipelineSchedule.values()) {
            PipelinePlan plan = MegatronPipeline.plan(micro, MICROBATCHES, cpu(4), MegatronPipeline.parse("megatron:dp=1,tp=1,pp=4"),
                    StageOptions.defaults().withSchedule(s));
            try (BackendRunner r = Backends.cpuPipeline(plan, 3)) {
                r.step(new MarkovSource(16, 16, 64, 7, whole.dataInput(), whole.labelInput()).batch(0));
                peaks[s.ordinal()] = r.peakBytesPerDevice();
            }
        }
        long[] oneFOneB = peaks[PipelineSchedule.ONE_F_ONE_B.ordinal()];
        long[] gpipe = peaks[PipelineSchedule.GPIPE.ordinal()];
        // stage 0 of 4 holds min(4 - 0, 4) = 4 microbatches either way; stages 1-3 hold 3, 2, 1 under 1F1B, 4 under GPipe
        assertThat(oneFOneB[0]).isEqualTo(gpipe[0]);
        for (int s = 1; s < 4; s++) {
            assertThat(oneFOneB[s]).as("stage %d", s).isLessThan(gpipe[s]);
        }
        assertThat(oneFOneB[3]).isLessThan(oneFOneB[2]);
        assertThat(oneFOneB[2]).isLessThan(oneFOneB[1]);
    }

    static void assertSameAsOneDevice(String name, PipelinePlan plan, Optimizer opt) {
        Model whole = model(name, batch(name));
        double tolerance = opt instanceof Optimizer.AdamW ? 1e-3 : 1e-4;
        StepRunner one = Backends.singleCpu(trainingGraph(whole, opt), 11, Set.of("loss"));
        try (BackendRunner many = Backends.cpuPipeline(plan, 11)) {
            List<Double> want = losses(one, data(name, whole));
            List<Double> got = losses(many, data(name, whole));
            for (int s = 0; s < STEPS; s++) {
                assertThat(Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s)))
                        .as("step %d loss %s vs %s", s, got.get(s), want.get(s)).isLessThan(1e-5);
            }
            Map<String, Tensor> pw = one.parameters();
            Map<String, Tensor> pg = many.parameters();
            assertThat(pg.keySet()).containsExactlyInAnyOrderElementsOf(pw.keySet());
            pw.forEach((p, w) -> assertThat(maxRelative(pg.get(p).floats(), w.floats())).as(p).isLessThan(tolerance));
        }
    }

    static List<Double> losses(StepRunner r, DataSource data) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            out.add((double) r.step(data.batch(s)).get("loss").item());
        }
        return out;
    }

    /** max |a − b| / max |b|. */
    static double maxRelative(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, 1e-12);
    }
}
