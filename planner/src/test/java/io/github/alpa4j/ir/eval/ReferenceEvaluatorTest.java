package io.github.alpa4j.ir.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.cases.OpCase;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference evaluates every op of the table (sources, backward and optimizer ops included; the
 * float32 kernels and autodiff are checked against it elsewhere): as many values as the op's type
 * holds, all finite on inputs the case's draw admits, and its sources left as they were given.
 */
class ReferenceEvaluatorTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.alpa4j.ir.cases.OpCases#all")
    void evaluatesEveryOp(OpCase c) {
        Graph g = c.graph();
        Map<String, double[]> sources = c.sources(g, new Random(c.name().hashCode()));
        Map<String, double[]> copies = new HashMap<>();
        sources.forEach((k, v) -> copies.put(k, v.clone()));
        double[] out = ReferenceEvaluator.evaluate(g, sources)[g.output("out")];
        assertThat(out).as(c.name()).hasSize((int) c.output().size());
        for (double v : out) {
            assertThat(Double.isFinite(v)).as("%s: finite", c.name()).isTrue();
        }
        sources.forEach((k, v) -> assertThat(v).as("%s: source %s untouched", c.name(), k).containsExactly(copies.get(k)));
    }
}
