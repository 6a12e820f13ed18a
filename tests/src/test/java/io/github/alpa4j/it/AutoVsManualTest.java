package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The automatic plan is never worse than data parallel, Megatron, or both, under the same cost model. */
class AutoVsManualTest {

    static Stream<Arguments> cases() {
        Graph wideMlp = Autodiff.training(Models.mlp(new MlpConfig(512, List.of(2048), 512, Activation.GELU, 16)).forward(),
                "loss", new Optimizer.Sgd(0.01, 0.9, 0));
        Graph deepMlp = Autodiff.training(Models.mlp(MlpConfig.of(4, 256, 1024)).forward(), "loss", Optimizer.AdamW.withLr(1e-3));
        Graph gpt = Autodiff.training(Models.gpt(new GptConfig(2, 8, 256, 64, 512, 8)).forward(), "loss",
                Optimizer.AdamW.withLr(1e-3));
        Cluster one = ClusterPresets.byName("p3.16xlarge", 1);
        Cluster two = ClusterPresets.byName("p3.16xlarge", 2);
        PlannerOptions flops = PlannerOptions.defaults();
        PlannerOptions alpa = flops.withZeroComputeCost(true);
        return Stream.of(
                Arguments.of("wide MLP", wideMlp, DeviceMesh.parse(one, "1x4"), flops),
                Arguments.of("wide MLP", wideMlp, DeviceMesh.parse(one, "2x4"), alpa),
                Arguments.of("deep MLP", deepMlp, DeviceMesh.parse(one, "2x2"), flops),
                Arguments.of("deep MLP", deepMlp, DeviceMesh.parse(two, "2x8"), alpa),
                Arguments.of("GPT", gpt, DeviceMesh.parse(one, "1x4"), alpa),
                Arguments.of("GPT", gpt, DeviceMesh.parse(two, "2x8"), flops));
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void automaticPlanCostsNoMoreThanAnyManualOne(String name, Graph g, DeviceMesh mesh, PlannerOptions o) {
        IntraOpPlan auto = IntraOpPlanner.plan(g, mesh, o);
        for (PlanMethod m : List.of(PlanMethod.DATA_PARALLEL, PlanMethod.MEGATRON, PlanMethod.DP_MEGATRON)) {
            IntraOpPlan manual = m.plan(g, mesh, o);
            assertThat(manual.graph().nodes()).isEqualTo(auto.graph().nodes());
            assertThat(auto.objective()).as(name + " auto vs " + m.flag() + " on " + mesh)
                    .isLessThanOrEqualTo(manual.objective() * (1 + 1e-9));
        }
    }
}
