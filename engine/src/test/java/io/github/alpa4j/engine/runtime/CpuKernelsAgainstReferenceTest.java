package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.cases.OpCase;
import io.github.alpa4j.ir.eval.ReferenceEvaluator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the table ({@code OpCases}) on the CPU backend (float32) against the float64
 * reference: the op on the case's drawn inputs; for a differentiable op also the gradients autodiff
 * builds from it, and one SGD and one AdamW update.
 */
class CpuKernelsAgainstReferenceTest {

    /**
     * The case's op on fed inputs {@code x0, x1, ...} (the case's drawn values). With {@code train},
     * each floating-point input is fed + a zero parameter {@code p0, p1, ...}: the op sees the drawn
     * values, and the parameters take its gradients and updates.
     */
    static Graph forward(OpCase c, boolean train) {
        GraphBuilder b = new GraphBuilder();
        if (c.isSource()) {
            b.output("out", c.apply(b));
            return b.build();
        }
        Value[] in = new Value[c.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            TensorType t = c.inputs().get(i);
            in[i] = b.input(OpCase.input(i), t, InputKind.DATA);
            if (train && t.dtype().isFloating()) {
                in[i] = b.add(in[i], b.parameter("p" + i, t, Init.zeros()));
            }
        }
        Value out = b.apply(c.op(), c.name(), in);
        b.output("out", out);
        if (train) {
            Value loss = out;
            if (out.rank() > 0) {
                Value w = b.input("w", out.type(), InputKind.DATA);
                loss = b.reduceSum(b.mul(out, w), false, IntStream.range(0, out.rank()).toArray());
            }
            b.output("loss", loss);
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.alpa4j.ir.cases.OpCases#all")
    void forwardMatchesFloat64(OpCase c) {
        compare(c, forward(c, false), 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.alpa4j.ir.cases.OpCases#differentiable")
    void forwardBackwardAndUpdatesMatchFloat64(OpCase c) {
        Graph forward = forward(c, true);
        for (Optimizer opt : new Optimizer[] {new Optimizer.Sgd(0.1, 0.9, 0.01), new Optimizer.AdamW(0.01, 0.9, 0.99, 1e-8, 0.1)}) {
            GraphBuilder t = GraphBuilder.extending(Autodiff.training(forward, "loss", opt));
            Graph train = t.build();
            train.gradients().forEach((param, grad) -> t.output("grad/" + train.node(param).name(), t.value(grad)));
            compare(c, t.build(), 4);
        }
    }

    /** Runs {@code g} on the CPU backend and the reference on the same values; at least {@code least} results compared. */
    private static void compare(OpCase c, Graph g, int least) {
        Map<String, double[]> sources = c.sources(g, new Random(c.name().hashCode()));
        Map<String, Tensor> feeds = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof SourceOp.Input) {
                feeds.put(n.name(), Tensor.fromDoubles(n.type(), sources.get(n.name())));
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
                .as(c.name() + ": " + k).isLessThan(1e-5));
        assertThat(expected).hasSizeGreaterThanOrEqualTo(least);
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
}
