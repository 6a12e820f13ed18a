package io.github.alpa4j.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.SourceOp.InputKind;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
    final GraphBuilder b = new GraphBuilder();

    Value p(String name, int... dims) {
        return b.parameter(name, TensorType.f32(dims), Init.zeros());
    }

    @Test
    void matmulForms() {
        assertThat(b.matmul(p("a", 3, 4), p("b", 4, 5)).shape()).isEqualTo(Shape.of(3, 5));
        assertThat(b.matmul(p("c", 4, 3), p("d", 5, 4), true, true).shape()).isEqualTo(Shape.of(3, 5));
        assertThat(b.matmul(p("e", 2, 7, 3, 4), p("f", 2, 7, 4, 6)).shape()).isEqualTo(Shape.of(2, 7, 3, 6));
        assertThat(b.matmul(p("g", 2, 7, 4), p("h", 4, 6)).shape()).isEqualTo(Shape.of(2, 7, 6));
    }

    @Test
    void mismatchesNameTheNodeAndShapes() {
        Value x = p("x", 3, 4);
        Value w = p("w", 5, 6);
        assertThatThrownBy(() -> b.matmul(x, w)).isInstanceOf(ShapeException.class)
                .hasMessageContaining("matmul_2").hasMessageContaining("contracting dimensions differ (4 vs 5)")
                .hasMessageContaining("[3, 4]").hasMessageContaining("[5, 6]");
        assertThatThrownBy(() -> b.add(x, p("y", 2, 4))).hasMessageContaining("do not broadcast");
        assertThatThrownBy(() -> b.reshape(x, 5, 2)).hasMessageContaining("element counts differ");
        assertThatThrownBy(() -> b.softmax(x, true)).hasMessageContaining("causal softmax needs [..., S, S]");
        assertThatThrownBy(() -> b.biasAdd(x, p("bias", 3))).hasMessageContaining("does not match");
        assertThatThrownBy(() -> b.crossEntropy(x, b.input("l", TensorType.i32(4), InputKind.LABEL)))
                .hasMessageContaining("disagree on dimension 0");
        assertThatThrownBy(() -> Shape.of(3, 0)).hasMessageContaining("positive");
    }

    @Test
    void broadcastingFollowsNumpy() {
        assertThat(Broadcast.shape(Shape.of(2, 1, 4), Shape.of(3, 1))).isEqualTo(Shape.of(2, 3, 4));
        assertThat(Broadcast.shape(Shape.of(4), Shape.scalar())).isEqualTo(Shape.of(4));
        assertThat(Broadcast.shape(Shape.of(2, 3), Shape.of(3, 2))).isNull();
        assertThat(Broadcast.broadcastAxes(Shape.of(3, 1), Shape.of(2, 3, 4))).containsExactly(0, 2);
    }

    @Test
    void flopsAndBytesAreReported() {
        Value a = p("a", 8, 16);
        Value w = p("w", 16, 32);
        Value c = b.matmul(a, w);
        Graph g = b.build();
        Node n = g.node(c.id());
        assertThat(g.flops(n)).isEqualTo(2L * 8 * 16 * 32);
        assertThat(n.op().bytesRead(g.inputTypes(n))).isEqualTo(4L * (8 * 16 + 16 * 32));
        assertThat(n.op().bytesWritten(n.type())).isEqualTo(4L * 8 * 32);
    }
}
