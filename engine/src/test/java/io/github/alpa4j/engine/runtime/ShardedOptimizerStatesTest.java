package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlannedCollective;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sharded optimizer states (ZeRO): dp-zero stores every master weight and its AdamW moments split over
 * the data axis, reduce-scatters the gradients and all-gathers the low-precision copy once per step;
 * the memory each device measures drops by what the plan predicts; a Megatron pipeline with zero=1
 * trains as one device; and the ILP shards the states itself where memory requires it.
 */
class ShardedOptimizerStatesTest {

    static Model model(String name, Precision p) {
        return name.equals("mlp")
                ? Models.mlp(new MlpConfig(16, List.of(256, 256), 8, Activation.GELU, 16), p)
                : Models.gpt(new GptConfig(2, 4, 64, 8, 16, 8), p);
    }

    static long measuredPeak(IntraOpPlan plan, String name, Model m) {
        try (BackendRunner r = Backends.cpuMesh(Lowering.lower(plan), 5)) {
            DataSource data = MeshTraining.data(name, m);
            r.step(data.batch(0));
            r.step(data.batch(1));
            return Arrays.stream(r.peakBytesPerDevice()).max().orElseThrow();
        }
    }

    @Test
    void dpZeroShardsMasterWeightsAndMomentsAndGathersTheBf16CopyOncePerStep() {
        Graph g = MixedPrecisionTrainingTest.trainingGraph(model("gpt", Precision.BF16), Precision.BF16);
        IntraOpPlan zero = MeshTraining.plan(g, "1x4", PlanMethod.DP_ZERO);
        Graph pg = zero.graph();
        int params = 0;
        for (Node n : pg.nodes()) {
            if (n.isParameter()) {
                params++;
                ShardingSpec stored = zero.outputSpec(n.id());
                assertThat(stored.dimOf(1)).as("%s stored split over the data axis", n.name()).isGreaterThanOrEqualTo(0);
                for (String moment : List.of("/adam_m", "/adam_v")) {
                    Node state = pg.nodes().stream().filter(s -> s.name().equals(n.name() + moment)).findFirst().orElseThrow();
                    assertThat(zero.outputSpec(state.id())).as(state.name()).isEqualTo(stored);
                }
            }
            if (n.op() instanceof ElementwiseOp.Cast && pg.node(n.input(0)).isParameter()) {
                assertThat(zero.strategy(n.id()).inputSpec(0)).isEqualTo(zero.outputSpec(n.input(0)));
                assertThat(zero.outputSpec(n.id())).as("%s gathered", n.name()).isEqualTo(ShardingSpec.replicated(n.type().rank()));
            }
        }
        List<Collective> c = zero.collectives().stream().map(PlannedCollective::collective).toList();
        assertThat(c.stream().filter(x -> x instanceof Collective.ReduceScatter).count()).as("gradients reduce-scattered").isEqualTo(params);
        assertThat(c.stream().filter(x -> x instanceof Collective.AllGather).count()).as("bf16 copies gathered").isEqualTo(params);
        assertThat(c.stream().filter(x -> x instanceof Collective.AllReduce).count()).as("the loss's only").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mlp,FP32", "gpt,FP32", "mlp,BF16", "gpt,BF16"})
    void measuredPeakMemoryDropsAsThePlanPredicts(String name, Precision p) {
        Model m = model(name, p);
        Graph g = MixedPrecisionTrainingTest.trainingGraph(m, p);
        IntraOpPlan dp = MeshTraining.plan(g, "1x4", PlanMethod.DATA_PARALLEL);
        IntraOpPlan zero = MeshTraining.plan(g, "1x4", PlanMethod.DP_ZERO);
        long predicted = dp.workingMemoryBytes() - zero.workingMemoryBytes();
        long measured = measuredPeak(dp, name, m) - measuredPeak(zero, name, m);
        // at least the master weights and both moments, 12 bytes a parameter, lose three quarters
        assertThat(predicted).isGreaterThanOrEqualTo(12 * g.parameterCount() * 3 / 4);
        assertThat((double) measured).as("measured drop %d vs predicted %d", measured, predicted)
                .isBetween(0.9 * predicted, 1.1 * predicted);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mlp,adamw", "gpt,adamw", "mlp,sgd", "gpt,sgd"})
    void aMegatronPipelineWithZeroTrainsAsOneDevice(String name, String optimizer) {
        Optimizer opt = PipelineRuntimeTest.optimizer(optimizer);
        Graph micro = PipelineRuntimeTest.trainingGraph(PipelineRuntimeTest.model(name, PipelineRuntimeTest.batch(name)
                / PipelineRuntimeTest.MICROBATCHES), opt);
        MegatronPipeline.Degrees d = MegatronPipeline.parse("megatron:dp=2,tp=1,pp=2,zero=1");
        PipelinePlan plan = MegatronPipeline.plan(micro, PipelineRuntimeTest.MICROBATCHES, PipelineRuntimeTest.cpu(4), d,
                StageOptions.defaults());
        assertThat(plan.stages()).allSatisfy(st -> assertThat(st.graph().graph().variables()).anySatisfy(v -> assertThat(
                st.plan().outputSpec(v.id()).dimOf(0)).as("%s split over dp", v.name()).isGreaterThanOrEqualTo(0)));
        PipelineRuntimeTest.assertSameAsOneDevice(name, plan, opt);
    }

    /**
     * A wide batch (so splitting the weights' products would move more activations than the weights
     * weigh) under a budget between dp-zero's memory and data parallelism's: the ILP stores each weight and
     * its moments split, gathers the bf16 copy (where it is cast or where it is read), and keeps the activations batch-split.
     */
    @Test
    void theIlpShardsMasterWeightsAndMomentsWhereMemoryRequiresIt() {
        Model wide = Models.mlp(new MlpConfig(64, List.of(256, 256), 64, Activation.GELU, 2048), Precision.BF16);
        Graph g = MixedPrecisionTrainingTest.trainingGraph(wide, Precision.BF16);
        DeviceMesh mesh = DeviceMesh.parse(ClusterPresets.byName("cpu", 1), "1x4");
        IntraOpPlan dp = PlanMethod.DATA_PARALLEL.plan(g, mesh, PlannerOptions.defaults());
        IntraOpPlan zero = PlanMethod.DP_ZERO.plan(g, mesh, PlannerOptions.defaults());
        long budget = (zero.peakMemoryBytes() + dp.peakMemoryBytes()) / 2;
        assertThat(dp.peakMemoryBytes()).as("data parallelism does not fit").isGreaterThan(budget);
        IntraOpPlan auto = PlanMethod.AUTO.plan(g, mesh, PlannerOptions.defaults().withMemoryBudgetBytes(budget));
        assertThat(auto.peakMemoryBytes()).isLessThanOrEqualTo(budget);
        assertThat(auto.iterationTime()).isLessThanOrEqualTo(zero.iterationTime() * (1 + 1e-9));
        Graph pg = auto.graph();
        for (Node n : pg.nodes()) {
            if (n.isParameter() && n.type().rank() == 2) {
                assertThat(auto.outputSpec(n.id()).dimOf(1)).as("%s stored split", n.name()).isGreaterThanOrEqualTo(0);
                Node cast = pg.node(pg.users(n.id()).getFirst());
                for (int u : pg.users(cast.id())) {
                    // the copy is gathered where it is cast or on its way to each reader: every reader takes it whole
                    assertThat(auto.strategy(u).inputSpecs().get(pg.node(u).inputs().indexOf(cast.id())))
                            .as("%s's bf16 copy read whole by %s", n.name(), pg.node(u).name()).isEqualTo(ShardingSpec.replicated(2));
                }
                pg.nodes().stream().filter(s -> s.op() instanceof SourceOp.State && s.name().startsWith(n.name() + "/adam_"))
                        .forEach(s -> assertThat(auto.outputSpec(s.id())).as(s.name()).isEqualTo(auto.outputSpec(n.id())));
            }
        }
    }
}
