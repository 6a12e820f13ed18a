package io.github.alpa4j.ir.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.eval.GradientCheck;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every differentiable op's gradient against central finite differences in float64. */
class AutodiffTest {

    /** Builds the op under test from parameters p0, p1 (and fixed inputs) and returns its output. */
    interface Case extends BiFunction<GraphBuilder, Value[], Value> {
    }

    static Arguments arg(String name, Case c, int[]... paramShapes) {
        return Arguments.of(name, c, paramShapes);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                arg("matmul", (b, p) -> b.matmul(p[0], p[1]), new int[] {3, 4}, new int[] {4, 5}),
                arg("matmul_tA", (b, p) -> b.matmul(p[0], p[1], true, false), new int[] {4, 3}, new int[] {4, 5}),
                arg("matmul_tB", (b, p) -> b.matmul(p[0], p[1], false, true), new int[] {3, 4}, new int[] {5, 4}),
                arg("matmul_tAtB", (b, p) -> b.matmul(p[0], p[1], true, true), new int[] {4, 3}, new int[] {5, 4}),
                arg("batched_matmul", (b, p) -> b.matmul(p[0], p[1]), new int[] {2, 3, 3, 4}, new int[] {2, 3, 4, 2}),
                arg("batched_matmul_tB", (b, p) -> b.matmul(p[0], p[1], false, true), new int[] {2, 3, 4}, new int[] {2, 5, 4}),
                arg("broadcast_matmul", (b, p) -> b.matmul(p[0], p[1]), new int[] {2, 3, 4}, new int[] {4, 5}),
                arg("broadcast_matmul_tB", (b, p) -> b.matmul(p[0], p[1], false, true), new int[] {2, 3, 4}, new int[] {5, 4}),
                arg("add_broadcast", (b, p) -> b.add(p[0], p[1]), new int[] {2, 3, 4}, new int[] {3, 1}),
                arg("bias_add", (b, p) -> b.biasAdd(p[0], p[1]), new int[] {3, 4}, new int[] {4}),
                arg("sub_broadcast", (b, p) -> b.sub(p[0], p[1]), new int[] {4}, new int[] {3, 4}),
                arg("mul_broadcast", (b, p) -> b.mul(p[0], p[1]), new int[] {2, 1, 4}, new int[] {3, 1}),
                arg("div", (b, p) -> b.div(p[0], b.add(b.mul(p[1], p[1]), b.constant(TensorType.f32(1), 1.0))),
                        new int[] {2, 3}, new int[] {2, 3}),
                arg("relu", (b, p) -> b.relu(p[0]), new int[] {3, 5}),
                arg("gelu", (b, p) -> b.gelu(p[0]), new int[] {3, 5}),
                arg("scale", (b, p) -> b.scale(p[0], -0.7), new int[] {3, 5}),
                arg("reshape", (b, p) -> b.reshape(p[0], 6, 2), new int[] {3, 4}),
                arg("permute", (b, p) -> b.permute(p[0], 2, 0, 1), new int[] {2, 3, 4}),
                arg("broadcast_to", (b, p) -> b.broadcastTo(p[0], Shape.of(2, 3, 4)), new int[] {3, 1}),
                arg("reduce_sum", (b, p) -> b.reduceSum(p[0], false, 0, 2), new int[] {2, 3, 4}),
                arg("reduce_sum_keep", (b, p) -> b.reduceSum(p[0], true, 1), new int[] {2, 3, 4}),
                arg("reduce_mean", (b, p) -> b.reduceMean(p[0], false, -1), new int[] {2, 3, 4}),
                arg("reduce_mean_all", (b, p) -> b.reduceMean(p[0], false, 0, 1), new int[] {3, 4}),
                arg("softmax", (b, p) -> b.softmax(p[0], false), new int[] {3, 5}),
                arg("softmax_causal", (b, p) -> b.softmax(p[0], true), new int[] {2, 4, 4}),
                arg("layer_norm", (b, p) -> b.layerNorm(p[0], p[1], p[2], 1e-5), new int[] {3, 6}, new int[] {6}, new int[] {6}),
                arg("embedding", (b, p) -> b.embedding(ids(b, 2, 3), p[0]), new int[] {5, 4}),
                arg("cross_entropy", (b, p) -> b.crossEntropy(p[0], labels(b)), new int[] {2, 3, 5}),
                arg("mse", (b, p) -> b.mse(p[0], b.input("target", TensorType.f32(3, 4), InputKind.LABEL)), new int[] {3, 4}),
                arg("shared_use", (b, p) -> b.mul(b.gelu(p[0]), p[0]), new int[] {3, 4}));
    }

    static Value ids(GraphBuilder b, int... shape) {
        return b.input("ids", TensorType.i32(shape), InputKind.DATA);
    }

    static Value labels(GraphBuilder b) {
        return b.input("labels", TensorType.i32(2, 3), InputKind.LABEL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void gradientMatchesFiniteDifferences(String name, Case c, int[][] paramShapes) {
        GraphBuilder b = new GraphBuilder();
        Value[] params = new Value[paramShapes.length];
        for (int i = 0; i < params.length; i++) {
            params[i] = b.parameter("p" + i, TensorType.f32(paramShapes[i]), Init.normal(1));
        }
        Value out = c.apply(b, params);
        Value loss = out;
        if (out.rank() > 0) {
            // a random linear functional of the output, so every output element matters differently
            Value w = b.input("w", out.type(), InputKind.DATA);
            loss = b.reduceSum(b.mul(out, w), false, axes(out.rank()));
        }
        b.output("loss", loss);
        Graph g = b.build();
        Map<String, double[]> sources = randomSources(g, new Random(name.hashCode()));
        Map<String, GradientCheck.Result> errors = GradientCheck.compare(g, "loss", sources, 1e-5);
        assertThat(errors).isNotEmpty();
        errors.forEach((p, e) -> assertThat(e.relativeError()).as(name + " d/d" + p).isLessThan(1e-6));
    }

    static int[] axes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Normal values for float sources (kept away from ReLU's kink), valid ids for integer ones. */
    static Map<String, double[]> randomSources(Graph g, Random r) {
        Map<String, double[]> s = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!n.isSource() || n.op() instanceof io.github.alpa4j.ir.SourceOp.Constant) {
                continue;
            }
            double[] x = new double[(int) n.type().size()];
            for (int i = 0; i < x.length; i++) {
                if (n.type().dtype() == DType.I32) {
                    x[i] = r.nextInt(3); // below every vocabulary size used here
                } else {
                    double v = r.nextGaussian();
                    x[i] = Math.abs(v) < 0.05 ? 0.3 : v;
                }
            }
            s.put(n.name(), x);
        }
        return s;
    }
}
