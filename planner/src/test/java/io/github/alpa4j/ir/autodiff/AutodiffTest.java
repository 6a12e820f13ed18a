package io.github.alpa4j.ir.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.SourceOp.InputKind;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.cases.OpCase;
import io.github.alpa4j.ir.cases.OpCases;
import io.github.alpa4j.ir.eval.GradientCheck;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every differentiable op's gradient (every case of {@link OpCases}) against central finite differences in float64. */
class AutodiffTest {

    static Stream<OpCase> differentiable() {
        return OpCases.differentiable();
    }

    static Stream<OpCase> withoutGradient() {
        return OpCases.all().stream().filter(c -> !c.differentiable() && !c.isSource());
    }

    /** A random linear functional of {@code out} (so every output element matters differently), named "loss". */
    static Graph withLoss(GraphBuilder b, Value out) {
        Value loss = out;
        if (out.rank() > 0) {
            Value w = b.input("w", out.type(), InputKind.DATA);
            loss = b.reduceSum(b.mul(out, w), false, axes(out.rank()));
        }
        b.output("loss", loss);
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differentiable")
    void gradientMatchesFiniteDifferences(OpCase c) {
        GraphBuilder b = new GraphBuilder();
        Graph g = withLoss(b, c.apply(b));
        Map<String, GradientCheck.Result> errors = GradientCheck.compare(g, "loss", c.sources(g, new Random(c.name().hashCode())), 1e-5);
        assertThat(errors).isNotEmpty();
        errors.forEach((p, e) -> assertThat(e.relativeError()).as(c.name() + " d/d" + p).isLessThan(1e-6));
    }

    /** The table's flag holds both ways: what it calls not differentiable, autodiff refuses by name. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutGradient")
    void opsWithoutAGradientRuleAreRefused(OpCase c) {
        GraphBuilder b = new GraphBuilder();
        Graph g = withLoss(b, c.apply(b));
        assertThatThrownBy(() -> Autodiff.backward(g, "loss")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no gradient rule for op '" + c.op().opName() + "'");
    }

    /** A value used twice gets the sum of both uses' gradients. */
    @Test
    void sharedUsesSumTheirGradients() {
        GraphBuilder b = new GraphBuilder();
        Value p = b.parameter("p0", TensorType.f32(3, 4), Init.normal(1));
        Graph g = withLoss(b, b.mul(b.gelu(p), p));
        Map<String, GradientCheck.Result> errors = GradientCheck.compare(g, "loss", OpCases.sources(g, new Random(7)), 1e-5);
        assertThat(errors).containsOnlyKeys("p0");
        errors.forEach((q, e) -> assertThat(e.relativeError()).as("d/d" + q).isLessThan(1e-6));
    }

    static int[] axes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = i;
        }
        return a;
    }
}
