package io.github.alpa4j.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.ConvLayers;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;

/**
 * The ILP finds, for convolution-and-batch-norm layers, what Alpa's Wide-ResNet case study shows:
 * data parallelism where activations outweigh weights (early blocks: large images, few channels),
 * channel parallelism where weights outweigh activations (late blocks: small images, many channels).
 */
class ConvolutionPlanTest {
    /** Four V100s of one p3.16xlarge host, as a 1x4 mesh. */
    private static final DeviceMesh V100S = DeviceMesh.parse(ClusterPresets.byName("p3.16xlarge", 1), "1x4");

    /** Two 3x3 convolutions with batch norm and ReLU, then global pooling and a linear head; SGD with momentum. */
    private static Graph convNet(int batch, int image, int channels) {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(batch, image, image, channels), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(batch, 8), InputKind.LABEL);
        Value h = x;
        for (int l = 0; l < 2; l++) {
            try (var s = b.scope("layer" + l)) {
                h = ConvLayers.conv2d(b, h, b.parameter("w", TensorType.f32(channels * 9, channels), Init.normal(0.01)), 3, 1, 1);
                h = b.relu(ConvLayers.batchNorm(b, h, b.parameter("g", TensorType.f32(channels), Init.ones()),
                        b.parameter("b", TensorType.f32(channels), Init.zeros()), 1e-5));
            }
        }
        Value logits = b.matmul(ConvLayers.globalAvgPool(b, h), b.parameter("head", TensorType.f32(channels, 8), Init.normal(0.01)));
        b.output("loss", b.mse(logits, y));
        return Autodiff.training(b.build(), "loss", new Optimizer.Sgd(0.1, 0.9, 0));
    }

    /** The layouts of the forward convolutions' weights, as the plan reads them. */
    private static java.util.List<ShardingSpec> convWeights(IntraOpPlan plan) {
        Graph g = plan.graph();
        return g.nodes().stream().filter(n -> n.phase() == Phase.FORWARD && n.op() instanceof MatmulOp
                        && g.node(n.input(1)).name() != null && g.node(n.input(1)).name().endsWith("/w"))
                .map(n -> plan.strategy(n.id()).inputSpec(1)).toList();
    }

    private static java.util.List<ShardingSpec> convImages(IntraOpPlan plan) {
        Graph g = plan.graph();
        return g.nodes().stream().filter(n -> n.phase() == Phase.FORWARD && n.op() instanceof MatmulOp
                        && g.node(n.input(1)).name() != null && g.node(n.input(1)).name().endsWith("/w"))
                .map((Node n) -> plan.strategy(n.id()).inputSpec(0)).toList();
    }

    @Test
    void largeImagesAndFewChannelsAreSplitByBatch() {
        IntraOpPlan plan = IntraOpPlanner.plan(convNet(32, 56, 64), V100S, PlannerOptions.defaults());
        assertThat(convWeights(plan)).hasSize(2).allSatisfy(w -> assertThat(w.dim(0).isSplit() || w.dim(1).isSplit()).as("weight %s", w).isFalse());
        assertThat(convImages(plan)).allSatisfy(x -> assertThat(x.dim(0).isSplit()).as("image %s", x).isTrue());
    }

    @Test
    void smallImagesAndManyChannelsAreSplitByChannel() {
        IntraOpPlan plan = IntraOpPlanner.plan(convNet(8, 4, 1024), V100S, PlannerOptions.defaults());
        assertThat(convWeights(plan)).hasSize(2).allSatisfy(w -> assertThat(w.dim(0).isSplit() || w.dim(1).isSplit()).as("weight %s", w).isTrue());
    }
}
