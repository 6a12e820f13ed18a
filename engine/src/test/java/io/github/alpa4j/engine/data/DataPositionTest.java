package io.github.alpa4j.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A data source's position is its step number and nothing else: the batch of step s is the same from
 * a fresh source, in any order, read once or many times. A checkpoint keeps only the step, so a
 * resumed run sees the batches an uninterrupted one would.
 */
class DataPositionTest {
    static Supplier<DataSource> source(String kind) {
        return kind.equals("markov") ? () -> new MarkovSource(16, 4, 8, 7, "tokens", "targets")
                : () -> new TeacherSource(8, 3, 4, 7, "x", "y");
    }

    @ParameterizedTest
    @ValueSource(strings = {"markov", "teacher"})
    void theBatchOfAStepDependsOnTheStepAlone(String kind) {
        DataSource inOrder = source(kind).get();
        Map<String, Tensor>[] want = batches(inOrder, 12);
        DataSource resumed = source(kind).get();
        for (long s : new long[] {11, 7, 7, 0, 3, 11, 5}) {   // out of order, repeated, from a fresh source
            Map<String, Tensor> got = resumed.batch(s);
            want[(int) s].forEach((name, t) -> {
                if (t.isInt()) {
                    assertThat(got.get(name).ints()).as(kind + " step " + s + " " + name).containsExactly(t.ints());
                } else {
                    assertThat(got.get(name).floats()).as(kind + " step " + s + " " + name).containsExactly(t.floats());
                }
            });
        }
        Map<String, Tensor> a = inOrder.batch(1);
        Map<String, Tensor> b = inOrder.batch(2);
        String name = a.keySet().iterator().next();
        Tensor ta = a.get(name);
        Tensor tb = b.get(name);
        boolean same = ta.isInt() ? java.util.Arrays.equals(ta.ints(), tb.ints()) : java.util.Arrays.equals(ta.floats(), tb.floats());
        assertThat(same).as("consecutive steps differ (all of " + name + ", not only its printed start)").isFalse();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Tensor>[] batches(DataSource d, int n) {
        Map<String, Tensor>[] out = new Map[n];
        for (int s = 0; s < n; s++) {
            out[s] = d.batch(s);
        }
        return out;
    }
}
