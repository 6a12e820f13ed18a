package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cluster.Link;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanStatus;
import io.github.alpa4j.planner.plan.PlannedCollective;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Alpa's check (REFERENCES §1): on a 2-layer MLP on a 1x4 mesh the solver rediscovers Megatron's
 * pattern when the weights are large and the batch small, and data parallelism in the opposite case;
 * the objective equals the alpha-beta cost worked out by hand. Compute is free here (Alpa's
 * convention), so the objective is the communication alone.
 */
class MegatronPatternTest {
    private static final Cluster P3 = ClusterPresets.byName("p3.16xlarge", 1);
    private static final DeviceMesh MESH = DeviceMesh.parse(P3, "1x4");
    private static final PlannerOptions ALPA = PlannerOptions.defaults().withZeroComputeCost(true);

    private static Graph mlp(int in, int hidden, int out, int batch) {
        return Autodiff.training(Models.mlp(new MlpConfig(in, List.of(hidden), out, Activation.RELU, batch)).forward(),
                "loss", new Optimizer.Sgd(0.01, 0, 0));
    }

    private static Node node(IntraOpPlan p, String name) {
        return p.graph().nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    /** All-reduce over the 4 devices of axis 1 (NVLink in one p3.16xlarge host): α + β·2(n−1)/n·B. */
    private static double allReduce(long bytes) {
        Link nvlink = P3.intraHost();
        return nvlink.alpha() + nvlink.beta() * 2 * 3 / 4.0 * bytes;
    }

    @Test
    void largeWeightsAndASmallBatchGiveMegatronsPlan() {
        int batch = 8;
        IntraOpPlan plan = IntraOpPlanner.plan(mlp(1024, 4096, 1024, batch), MESH, ALPA);
        assertThat(plan.status()).isEqualTo(PlanStatus.OPTIMAL);
        // first weight split by columns, second by rows
        assertThat(plan.outputSpec(node(plan, "layer0/w").id())).hasToString("RS1");
        assertThat(plan.outputSpec(node(plan, "layer1/w").id())).hasToString("S1R");
        // one all-reduce in the forward pass: the row-parallel layer's [batch, 1024] output
        List<PlannedCollective> forward = plan.collectives().stream().filter(c -> c.phase() == Phase.FORWARD).toList();
        assertThat(forward).extracting(PlannedCollective::collective)
                .containsExactly(new Collective.AllReduce(MeshAxes.AXIS1, batch * 1024 * 4L, Collective.ReduceOp.SUM));
        // and nothing else: the backward pass of Megatron's MLP needs no communication when dx is not needed
        assertThat(plan.collectives()).hasSize(1);
        assertThat(plan.objective()).isCloseTo(allReduce(batch * 1024 * 4L), within(1e-15));
    }

    @Test
    void aLargeBatchAndSmallWeightsGiveDataParallelism() {
        // activations of 4 MiB against weights of 16 KiB: five small all-reduces beat one of the activations
        int batch = 16384;
        int width = 64;
        IntraOpPlan plan = IntraOpPlanner.plan(mlp(width, width, width, batch), MESH, ALPA);
        assertThat(plan.status()).isEqualTo(PlanStatus.OPTIMAL);
        for (String p : List.of("layer0/w", "layer0/b", "layer1/w", "layer1/b")) {
            assertThat(plan.outputSpec(node(plan, p).id()).usedAxes()).as(p + " replicated").isEqualTo(MeshAxes.NONE);
        }
        // activations split by batch (the input may be fed whole and sliced, which is free)
        assertThat(plan.graph().nodes()).filteredOn(n -> n.op() instanceof MatmulOp && n.phase() == Phase.FORWARD)
                .hasSize(2).allSatisfy(n -> assertThat(plan.outputSpec(n.id())).hasToString("S1R"));
        // one all-reduce per gradient, and one of the scalar loss (each device holds a partial mean)
        double byHand = 2 * allReduce(width * width * 4L) + 2 * allReduce(width * 4L) + allReduce(4);
        assertThat(plan.objective()).isCloseTo(byHand, within(1e-15));
        assertThat(plan.collectives()).extracting(c -> c.collective().kind()).containsOnly("all-reduce").hasSize(5);
    }
}
