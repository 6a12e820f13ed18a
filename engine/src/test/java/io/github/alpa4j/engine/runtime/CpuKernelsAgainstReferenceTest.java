package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every forward, backward and optimizer op on the CPU backend (float32) against the float64
 * reference: the op, the gradients autodiff builds from it, and one SGD and one AdamW update.
 */
class CpuKernelsAgainstReferenceTest {

    interface Case extends BiFunction<GraphBuilder, Value[], Value> {
    }

    static Arguments arg(String name, Case c, int[]... shapes) {
        return Arguments.of(name, c, shapes);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                arg("matmul", (b, p) -> b.matmul(p[0], p[1]), new int[] {7, 9}, new int[] {9, 5}),
                arg("matmul_tA_tB", (b, p) -> b.matmul(p[0], p[1], true, true), new int[] {9, 7}, new int[] {5, 9}),
                arg("batched_matmul_tB", (b, p) -> b.matmul(p[0], p[1], false, true), new int[] {2, 3, 6, 4}, new int[] {2, 3, 5, 4}),
                arg("batched_matmul_tA", (b, p) -> b.matmul(p[0], p[1], true, false), new int[] {3, 4, 6}, new int[] {3, 4, 5}),
                arg("broadcast_matmul", (b, p) -> b.matmul(p[0], p[1]), new int[] {2, 3, 4}, new int[] {4, 5}),
                arg("add_broadcast", (b, p) -> b.add(p[0], p[1]), new int[] {2, 3, 4}, new int[] {3, 1}),
                arg("sub", (b, p) -> b.sub(p[0], p[1]), new int[] {4}, new int[] {3, 4}),
                arg("mul", (b, p) -> b.mul(p[0], p[1]), new int[] {2, 1, 4}, new int[] {3, 1}),
                arg("div", (b, p) -> b.div(p[0], b.add(b.mul(p[1], p[1]), b.constant(TensorType.f32(1), 1.0))),
                        new int[] {2, 3}, new int[] {2, 3}),
                arg("relu", (b, p) -> b.relu(p[0]), new int[] {4, 6}),
                arg("gelu", (b, p) -> b.gelu(p[0]), new int[] {4, 6}),
                arg("scale", (b, p) -> b.scale(p[0], 1.5), new int[] {4, 6}),
                arg("reshape_permute", (b, p) -> b.permute(b.reshape(p[0], 2, 3, 4), 1, 2, 0), new int[] {6, 4}),
                arg("broadcast_to", (b, p) -> b.broadcastTo(p[0], Shape.of(2, 3, 4)), new int[] {3, 1}),
                arg("reduce_sum", (b, p) -> b.reduceSum(p[0], false, 0, 2), new int[] {2, 3, 4}),
                arg("reduce_mean_keep", (b, p) -> b.reduceMean(p[0], true, 1), new int[] {2, 3, 4}),
                arg("softmax", (b, p) -> b.softmax(p[0], false), new int[] {3, 7}),
                arg("softmax_causal", (b, p) -> b.softmax(p[0], true), new int[] {2, 5, 5}),
                arg("layer_norm", (b, p) -> b.layerNorm(p[0], p[1], p[2], 1e-5), new int[] {3, 8}, new int[] {8}, new int[] {8}),
                arg("embedding", (b, p) -> b.embedding(b.input("ids", TensorType.i32(2, 3), InputKind.DATA), p[0]), new int[] {5, 4}),
                arg("cross_entropy", (b, p) -> b.crossEntropy(p[0], b.input("labels", TensorType.i32(2, 3), InputKind.LABEL)), new int[] {2, 3, 5}),
                arg("mse", (b, p) -> b.mse(p[0], b.input("target", TensorType.f32(3, 4), InputKind.LABEL)), new int[] {3, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void forwardBackwardAndUpdatesMatchFloat64(String name, Case c, int[][] shapes) {
        GraphBuilder b = new GraphBuilder();
        Value[] p = new Value[shapes.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = b.parameter("p" + i, TensorType.f32(shapes[i]), Init.normal(1));
        }
        Value out = c.apply(b, p);
        Value loss = out;
        if (out.rank() > 0) {
            Value w = b.input("w", out.type(), InputKind.DATA);
            int[] axes = java.util.stream.IntStream.range(0, out.rank()).toArray();
            loss = b.reduceSum(b.mul(out, w), false, axes);
        }
        b.output("out", out);
        b.output("loss", loss);
        Graph forward = b.build();
        for (Optimizer opt : new Optimizer[] {new Optimizer.Sgd(0.1, 0.9, 0.01), new Optimizer.AdamW(0.01, 0.9, 0.99, 1e-8, 0.1)}) {
            GraphBuilder t = GraphBuilder.extending(Autodiff.training(forward, "loss", opt));
            Graph train = t.build();
            train.gradients().forEach((param, grad) -> t.output("grad/" + train.node(param).name(), t.value(grad)));
            Graph g = t.build();
            compare(name, g, new Random(name.hashCode()));
        }
    }

    private static void compare(String name, Graph g, Random r) {
        Map<String, double[]> sources = new HashMap<>();
        Map<String, Tensor> feeds = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof SourceOp.Input) {
                double[] x = random(n, r);
                sources.put(n.name(), x);
                feeds.put(n.name(), Tensor.fromDoubles(n.type(), x));
            }
        }
        SingleDeviceExecutor<float[], int[]> exec = new SingleDeviceExecutor<>(g, new CpuBackend(), 7, g.outputs().keySet());
        for (Node n : g.variables()) {
            sources.put(n.name(), Initializer.initial(n, 7).toDoubles());
        }
        double[][] ref = ReferenceEvaluator.evaluate(g, sources);
        Map<String, Tensor> got = exec.step(feeds);
        Map<String, double[]> expected = new LinkedHashMap<>();
        g.outputs().forEach((k, id) -> expected.put(k, ref[id]));
        for (Graph.Update u : g.updates()) {
            expected.put("updated " + g.node(u.variable()).name(), ref[u.value()]);
            got.put("updated " + g.node(u.variable()).name(), exec.variable(g.node(u.variable()).name()));
        }
        expected.forEach((k, want) -> assertThat(relativeError(got.get(k).toDoubles(), want))
                .as(name + ": " + k).isLessThan(1e-5));
        assertThat(expected).hasSizeGreaterThan(3);
    }

    static double relativeError(double[] got, double[] want) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (got[i] - want[i]) * (got[i] - want[i]);
            norm += want[i] * want[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
    }

    static double[] random(Node n, Random r) {
        double[] x = new double[(int) n.type().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = n.type().dtype() == DType.I32 ? r.nextInt(5) : (float) r.nextGaussian();
        }
        return x;
    }

}
