package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A mean over a dimension the plan splits divides by the global count, not by a shard's (found by the MoE's load-balancing loss). */
class MeanOverSplitAxisTest {

    @Test
    void aMeanOverTheBatchSplitByDataParallelismEqualsOneDevice() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(8, 4), SourceOp.InputKind.DATA);
        Value w = b.parameter("w", TensorType.f32(4), Init.normal(1));
        Value mean = b.reduceMean(b.mul(x, w), false, 0);
        b.output("loss", b.reduceSum(b.mul(mean, mean), false, 0));
        Graph g = MeshTraining.trainingGraph(new io.github.alpa4j.engine.model.Model("mean", b.build(), "x", "x", 8),
                Optimizer.AdamW.withLr(1e-2));
        IntraOpPlan plan = MeshTraining.plan(g, "1x4", PlanMethod.DATA_PARALLEL);
        float[] v = new float[32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i + 1.0);
        }
        Map<String, Tensor> feed = Map.of("x", Tensor.of(TensorType.f32(8, 4), v));
        StepRunner one = Backends.singleCpu(g, 3, Set.of("loss"));
        try (BackendRunner many = Backends.cpuMesh(Lowering.lower(plan), 3)) {
            for (int s = 0; s < 3; s++) {
                double want = one.step(feed).get("loss").item();
                double got = many.step(feed).get("loss").item();
                assertThat(Math.abs(got - want) / Math.abs(want)).as("step %d: %s vs %s", s, got, want).isLessThan(1e-5);
            }
        }
    }
}
