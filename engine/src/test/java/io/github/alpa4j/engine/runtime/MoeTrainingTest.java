package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.MoeConfig;
import io.github.alpa4j.engine.model.MoeModel;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GShard's MoE: its routing on an example worked out by hand, and its training on the CPU mesh (the
 * ILP's plan, the ep-dp plan, 2-stage pipelines) against one device, 10 steps within 1e-5.
 */
class MoeTrainingTest {
    static final int STEPS = 10;
    static final Optimizer ADAMW = Optimizer.AdamW.withLr(1e-3);

    /** 4 blocks (2 with 4 experts), hidden 32, seq 8, vocabulary 16; capacity factor 0.75 so that tokens are dropped. */
    static MoeConfig config(int batch) {
        return new MoeConfig(new GptConfig(4, 4, 32, 8, 16, batch), 4, 8, 0.75, 0.01);
    }

    static Graph training(int batch) {
        Model m = MoeModel.build(config(batch), Precision.FP32);
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", ADAMW).keepOutputs(List.of("loss")));
    }

    static MarkovSource data() {
        return new MarkovSource(16, 8, 8, 7, "tokens", "targets");
    }

    /**
     * One group of 4 tokens over 3 experts, 2 slots each. First choices: t0, t1 -> e0 (slots 0, 1), t2 -> e1,
     * t3 -> e2 (slot 0). Second choices queue after them: t0 -> e1 slot 1, t1 -> e2 slot 1, t2 -> e0 and
     * t3 -> e1 find their experts full and are dropped; t2 and t3 keep weight 1 on their first choice.
     * Load balance: routed fractions (1/2, 1/4, 1/4), mean gates (0.35, 0.325, 0.325):
     * 3² · mean(0.175, 0.08125, 0.08125) = 1.0125.
     */
    @Test
    void routingAndLoadBalancingMatchAnExampleWorkedByHand() {
        double[] gates = {0.5, 0.3, 0.2, 0.6, 0.1, 0.3, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7};
        GraphBuilder b = new GraphBuilder();
        Value g = b.input("gates", TensorType.f32(1, 4, 3), SourceOp.InputKind.DATA);
        b.output("dispatch", b.apply(new RoutingOp.Top2Dispatch(2), g));
        b.output("combine", b.apply(new RoutingOp.Top2Combine(2), g));
        b.output("aux", MoeModel.loadBalancingLoss(b, g));
        Graph graph = b.build();
        double[] combine = new double[4 * 3 * 2];
        combine[slot(0, 0, 0)] = 0.5 / 0.8;
        combine[slot(0, 1, 1)] = 0.3 / 0.8;
        combine[slot(1, 0, 1)] = 0.6 / 0.9;
        combine[slot(1, 2, 1)] = 0.3 / 0.9;
        combine[slot(2, 1, 0)] = 1;
        combine[slot(3, 2, 0)] = 1;
        double[] dispatch = new double[combine.length];
        for (int i = 0; i < combine.length; i++) {
            dispatch[i] = combine[i] > 0 ? 1 : 0;
        }
        double[][] ref = ReferenceEvaluator.evaluate(graph, Map.of("gates", gates));
        Map<String, Tensor> cpu = new SingleDeviceExecutor<>(graph, new CpuBackend(), 1, Set.of("dispatch", "combine", "aux"))
                .step(Map.of("gates", Tensor.fromDoubles(TensorType.f32(1, 4, 3), gates)));
        for (var run : List.of(Map.of("dispatch", ref[graph.outputs().get("dispatch")], "combine", ref[graph.outputs().get("combine")],
                        "aux", ref[graph.outputs().get("aux")]),
                Map.of("dispatch", cpu.get("dispatch").toDoubles(), "combine", cpu.get("combine").toDoubles(), "aux",
                        cpu.get("aux").toDoubles()))) {
            assertThat(run.get("dispatch")).containsExactly(dispatch);
            assertThat(run.get("combine")).containsExactly(combine, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(run.get("aux")[0]).isCloseTo(1.0125, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    private static int slot(int token, int expert, int c) {
        return (token * 3 + expert) * 2 + c;
    }

    @Test
    void capacityFactorSetsTheSlotsAsGshard() {
        // C = round(factor · 2S / E): Alpa's default 2S/E at factor 1
        assertThat(new MoeConfig(new GptConfig(2, 1, 8, 2048, 16, 1), 16, 2048, 1.0, 0).capacity()).isEqualTo(256);
        assertThat(config(8).capacity()).isEqualTo(3);
        assertThat(config(8).groups()).isEqualTo(8);
        for (int factor : new int[] {4, 8}) {
            MoeConfig c = new MoeConfig(new GptConfig(3, 4, 32, 8, 16, 2), 4, 8, 1.0, 0.01, factor);
            assertThat(MoeModel.build(c, Precision.FP32).forward().parameterCount()).as("mlp factor %d", factor)
                    .isEqualTo(c.parameterCount());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"auto", "ep-dp"})
    void intraOpPlansTrainAsOneDevice(String method) {
        Graph g = training(8);
        IntraOpPlan plan = MeshTraining.plan(g, method.equals("ep-dp") ? "1x4" : "2x2", PlanMethod.parse(method));
        if (method.equals("ep-dp")) {
            // the experts' weights split by expert, the tokens sent to them and back by all-to-all
            for (Node n : g.nodes()) {
                if (n.isParameter() && n.name().contains("experts/")) {
                    assertThat(plan.strategy(n.id()).outputSpec().toString()).as(n.name()).startsWith("S1");
                }
            }
            assertThat(allToAlls(plan)).isPositive();
        }
        try (BackendRunner many = Backends.cpuMesh(Lowering.lower(plan), 11)) {
            assertSameLosses(many);
        }
    }

    @Test
    void twoStagePipelinesTrainAsOneDevice() {
        Graph micro = training(4);
        PipelinePlan manual = MegatronPipeline.plan(micro, 2, PipelineRuntimeTest.cpu(2),
                MegatronPipeline.parse("megatron:dp=1,tp=1,pp=2"), StageOptions.defaults());
        assertThat(manual.stages()).hasSize(2);
        try (BackendRunner many = Backends.cpuPipeline(manual, 11)) {
            assertSameLosses(many);
        }
        PipelinePlan auto = PipelinePlanner.plan(micro, 2, PipelineRuntimeTest.cpu(4), StageOptions.defaults());
        try (BackendRunner many = Backends.cpuPipeline(auto, 11)) {
            assertSameLosses(many);
        }
    }

    /**
     * On one p3.16xlarge host (1x8), fp16, 8 experts of width 1024: replicating the experts costs their
     * gradients' all-reduce; the ILP splits them by expert over the 8 GPUs by itself (as ep-dp does by hand),
     * with all-to-all exchanges of the tokens, and its plan costs no more than ep-dp's under the same model.
     */
    @Test
    void theIlpFindsExpertParallelismByItself() {
        Model m = MoeModel.build(new MoeConfig(new GptConfig(4, 8, 256, 128, 1000, 64), 8, 128, 1.0, 0.01), Precision.FP16);
        Graph g = DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", ADAMW, true).keepOutputs(List.of("loss")));
        var mesh = io.github.alpa4j.planner.cluster.DeviceMesh.parse(io.github.alpa4j.planner.cluster.ClusterPresets.byName("p3.16xlarge", 1),
                "1x8");
        var options = io.github.alpa4j.planner.PlannerOptions.defaults().withTimeLimitSeconds(60);
        IntraOpPlan auto = PlanMethod.AUTO.plan(g, mesh, options);
        IntraOpPlan epdp = PlanMethod.EP_DP.plan(g, mesh, options);
        for (Node n : g.nodes()) {
            if (n.isParameter() && n.name().contains("experts/")) {
                assertThat(auto.strategy(n.id()).outputSpec().toString()).as(n.name()).isEqualTo("S1RR");
            }
        }
        assertThat(allToAlls(auto)).isPositive();
        assertThat(auto.objective()).isLessThanOrEqualTo(epdp.objective() * (1 + 1e-9));
        assertThat(auto.objective()).isLessThan(PlanMethod.DATA_PARALLEL.plan(g, mesh, options).objective());
    }

    static long allToAlls(IntraOpPlan plan) {
        return plan.collectives().stream().filter(c -> c.collective() instanceof Collective.AllToAll).count();
    }

    private static void assertSameLosses(StepRunner many) {
        StepRunner one = Backends.singleCpu(training(8), 11, Set.of("loss"));
        List<Double> want = losses(one);
        List<Double> got = losses(many);
        for (int s = 0; s < STEPS; s++) {
            assertThat(Math.abs(got.get(s) - want.get(s)) / Math.abs(want.get(s)))
                    .as("step %d loss %s vs %s", s, got.get(s), want.get(s)).isLessThan(1e-5);
        }
        assertThat(want.get(STEPS - 1)).isLessThan(want.get(0));
    }

    private static List<Double> losses(StepRunner r) {
        MarkovSource data = data();
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            out.add((double) r.step(data.batch(s)).get("loss").item());
        }
        return out;
    }
}
