package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The memory budget over liveness steps (REFERENCES §1). */
class MemoryBudgetTest {
    private static final DeviceMesh MESH = DeviceMesh.parse(ClusterPresets.byName("p3.16xlarge", 1), "1x4");
    // parameters, gradients and updated parameters (4 MiB each per weight) hold more than the 16 MiB
    // activations split four ways by batch
    private static final Graph MLP = Autodiff.training(
            Models.mlp(new MlpConfig(1024, List.of(1024), 1024, Activation.RELU, 4096)).forward(), "loss",
            new Optimizer.Sgd(0.01, 0, 0));
    private static final PlannerOptions O = PlannerOptions.defaults();

    private static boolean parametersSharded(IntraOpPlan p) {
        return p.graph().nodes().stream().filter(Node::isParameter)
                .anyMatch(n -> !p.outputSpec(n.id()).usedAxes().isEmpty());
    }

    @Test
    void aBudgetUnderTheReplicatedFootprintForcesParameterSharding() {
        IntraOpPlan free = IntraOpPlanner.plan(MLP, MESH, O);
        // the replicated footprint: data parallel, parameters whole and every activation split four ways by batch
        IntraOpPlan dp = ManualPlans.dataParallel(MLP, MESH, O);
        assertThat(parametersSharded(dp)).isFalse();
        long budget = dp.peakMemoryBytes() * 3 / 4;
        IntraOpPlan tight = IntraOpPlanner.plan(MLP, MESH, O.withMemoryBudgetBytes(budget));
        assertThat(tight.peakMemoryBytes()).isLessThanOrEqualTo(budget);
        assertThat(parametersSharded(tight)).isTrue();
        assertThat(tight.objective()).isGreaterThanOrEqualTo(free.objective());
    }

    @Test
    void aBudgetUnderTheSmallestPlanIsAUserErrorNamingWhatItNeeds() {
        PlanningException e = org.junit.jupiter.api.Assertions.assertThrows(PlanningException.class,
                () -> IntraOpPlanner.plan(MLP, MESH, O.withMemoryBudgetGiB(0.01)));
        Matcher m = Pattern.compile("does not fit in 0\\.01 GiB per device; the smallest plan needs (\\d+\\.\\d\\d) GiB")
                .matcher(e.getMessage());
        assertThat(m.matches()).as(e.getMessage()).isTrue();
        double needs = Double.parseDouble(m.group(1));
        // the figure is the smallest peak, rounded up to 0.01 GiB: it fits, and 0.01 GiB less does not
        assertThat(IntraOpPlanner.plan(MLP, MESH, O.withMemoryBudgetGiB(needs)).peakMemoryBytes())
                .isLessThanOrEqualTo((long) (needs * (1L << 30)));
        assertThatThrownBy(() -> IntraOpPlanner.plan(MLP, MESH, O.withMemoryBudgetGiB(needs - 0.01)))
                .isInstanceOf(PlanningException.class).hasMessageContaining("the smallest plan needs " + m.group(1) + " GiB");
    }
}
