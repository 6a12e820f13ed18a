package io.github.alpa4j.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.runtime.Initializer;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.eval.GradientCheck;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whole-model gradients against central finite differences in float64. */
class ModelGradientCheckTest {

    static Map<String, double[]> sources(Graph g, int vocab, long seed) {
        Random r = new Random(seed);
        Map<String, double[]> s = new HashMap<>();
        for (Node n : g.nodes()) {
            if (n.isVariable()) {
                double[] v = Initializer.initial(n, seed).toDoubles();
                // weights at GPT scale (std 0.02) make gradients tiny; widen them so the check is sharp
                for (int i = 0; i < v.length; i++) {
                    v[i] = v[i] * 10 + 0.1 * r.nextGaussian();
                }
                s.put(n.name(), v);
            } else if (n.op() instanceof SourceOp.Input) {
                double[] v = new double[(int) n.type().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = n.type().dtype() == DType.I32 ? r.nextInt(vocab) : r.nextGaussian();
                }
                s.put(n.name(), v);
            }
        }
        return s;
    }

    @Test
    void mlpGradientsMatchFiniteDifferences() {
        Model m = Models.mlp(new MlpConfig(5, List.of(6, 4), 3, Activation.GELU, 4));
        Map<String, GradientCheck.Result> err = GradientCheck.compare(m.forward(), "loss", sources(m.forward(), 1, 1), 1e-5);
        assertThat(err).hasSize(6);
        err.forEach((p, e) -> assertThat(e.relativeError()).as(p).isLessThan(1e-6));
    }

    @Test
    void twoLayerGptGradientsMatchFiniteDifferences() {
        Model m = Models.gpt(new GptConfig(2, 2, 8, 4, 5, 2));
        Map<String, GradientCheck.Result> err = GradientCheck.compare(m.forward(), "loss", sources(m.forward(), 5, 2), 1e-6);
        assertThat(err).hasSize(m.forward().parameters().size());
        err.forEach((p, e) -> assertThat(e.relativeError()).as(p + " " + e).isLessThan(1e-6));
        // every parameter has a real gradient (the builder leaves out the key bias, which has none)
        assertThat(err.values()).allMatch(e -> e.analyticNorm() >= GradientCheck.ZERO_NORM);
        assertThat(m.forward().parameterCount()).isEqualTo(new GptConfig(2, 2, 8, 4, 5, 2).parameterCount());
    }

    /**
     * The MoE (2 blocks, the first with 4 experts; groups of 4 tokens, 1 slot per expert, so tokens are dropped),
     * the load-balancing loss weighted 0.5 so the gate's gradient through it is checked too. The routing is a
     * constant of the step, which the finite differences (1e-6) do not cross.
     */
    @Test
    void moeGradientsMatchFiniteDifferences() {
        MoeConfig c = new MoeConfig(new GptConfig(2, 2, 8, 4, 5, 2), 4, 4, 0.5, 0.5);
        assertThat(c.capacity()).isEqualTo(1);
        Model m = MoeModel.build(c, io.github.alpa4j.ir.Precision.FP32);
        Map<String, GradientCheck.Result> err = GradientCheck.compare(m.forward(), "loss", sources(m.forward(), 5, 3), 1e-6);
        assertThat(err).hasSize(m.forward().parameters().size());
        err.forEach((p, e) -> assertThat(e.relativeError()).as(p + " " + e).isLessThan(1e-6));
        assertThat(err.get("block0/moe/gate/w").analyticNorm()).isGreaterThanOrEqualTo(GradientCheck.ZERO_NORM);
    }
}
