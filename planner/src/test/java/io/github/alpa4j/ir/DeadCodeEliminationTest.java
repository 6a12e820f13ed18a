package io.github.alpa4j.ir;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import org.junit.jupiter.api.Test;

class DeadCodeEliminationTest {

    @Test
    void dropsTheGradientOfAFedInputAndKeepsEverythingElse() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(4, 8), InputKind.DATA);
        Value y = b.input("y", TensorType.f32(4, 2), InputKind.LABEL);
        Value w = b.parameter("w", TensorType.f32(8, 2), Init.normal(0.1));
        b.output("loss", b.mse(b.matmul(x, w), y));
        Graph g = Autodiff.training(b.build(), "loss", new Optimizer.Sgd(0.1, 0, 0));
        Graph live = DeadCodeElimination.apply(g);
        // autodiff also built dL/dx and dL/dy, which nothing reads
        assertThat(live.size()).isLessThan(g.size());
        assertThat(live.nodes()).allSatisfy(n -> assertThat(n.name()).isIn(g.nodes().stream().map(Node::name).toList()));
        assertThat(live.updates()).hasSize(1);
        assertThat(live.node(live.updates().get(0).value()).name()).isEqualTo("w/next");
        assertThat(live.node(live.output("loss")).op()).isInstanceOf(LossOp.MseLoss.class);
        assertThat(DeadCodeElimination.apply(live)).isSameAs(live);
    }
}
