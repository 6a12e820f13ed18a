package io.github.alpa4j.engine.lower;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.MeshTraining;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The manual plans are what their names say, not merely consistent: data parallel splits the batch everywhere. */
class ManualPlanLayoutTest {
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"mlp, 2x2", "mlp, 1x4", "gpt, 2x2", "gpt, 1x4", "gpt, 2x1"})
    void dataParallelSplitsEveryBatchAndReplicatesEveryParameter(String name, String mesh) {
        Model m = MeshTraining.model(name);
        Graph g = MeshTraining.trainingGraph(m, Optimizer.AdamW.withLr(1e-3));
        IntraOpPlan plan = MeshTraining.plan(g, mesh, PlanMethod.DATA_PARALLEL);
        int forwardMatmuls = 0;
        for (Node n : g.nodes()) {
            ShardingSpec out = plan.outputSpec(n.id());
            if (n.op() instanceof SourceOp.Input) {
                assertThat(out.dim(0).isSplit()).as("%s laid out %s", n.name(), out).isTrue();
            }
            if (n.isParameter()) {
                assertThat(out).as(n.name()).isEqualTo(ShardingSpec.replicated(n.type().rank()));
            }
            if (n.op() instanceof MatmulOp && n.phase() == Phase.FORWARD) {
                forwardMatmuls++;
                assertThat(plan.strategy(n.id()).inputSpec(0).dim(0).isSplit()).as("%s reads %s", n.name(),
                        plan.strategy(n.id()).inputSpec(0)).isTrue();
            }
        }
        assertThat(forwardMatmuls).isPositive();
        // gradients of replicated parameters from split batches are all-reduced, and nothing else moves in the forward pass
        assertThat(plan.collectives()).anyMatch(c -> c.collective() instanceof Collective.AllReduce && c.phase() == Phase.BACKWARD);
        assertThat(plan.collectives()).noneMatch(c -> c.phase() == Phase.FORWARD && !(c.collective() instanceof Collective.AllReduce));
    }
}
