package io.github.alpa4j.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.engine.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkovSourceTest {

    @Test
    void stationaryDistributionIsAFixedPointOfTheChain() {
        MarkovSource m = new MarkovSource(12, 1, 1, 4, "x", "y");
        double[] pi = m.stationary();
        for (int j = 0; j < 12; j++) {
            double next = 0;
            for (int i = 0; i < 12; i++) {
                next += pi[i] * m.transition(i, j);
            }
            assertThat(next).isCloseTo(pi[j], within(1e-12));
        }
    }

    @Test
    void entropyRateMatchesTheEmpiricalConditionalEntropy() {
        int v = 6;
        MarkovSource m = new MarkovSource(v, 64, 256, 11, "x", "y");
        long[][] counts = new long[v][v];
        for (int step = 0; step < 30; step++) {
            Map<String, Tensor> b = m.batch(step);
            int[] x = b.get("x").ints();
            int[] y = b.get("y").ints();
            for (int i = 0; i < x.length; i++) {
                counts[x[i]][y[i]]++;
            }
        }
        // the average −log P(y|x) under the true chain over sampled pairs estimates H
        double total = 0;
        long n = 0;
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < v; j++) {
                total -= counts[i][j] * Math.log(m.transition(i, j));
                n += counts[i][j];
            }
        }
        assertThat(total / n).isCloseTo(m.entropyRate(), within(0.01));
    }

    @Test
    void targetsAreTheTokensShiftedByOne() {
        MarkovSource m = new MarkovSource(8, 2, 10, 1, "x", "y");
        Map<String, Tensor> b = m.batch(3);
        int[] x = b.get("x").ints();
        int[] y = b.get("y").ints();
        for (int s = 0; s < 2; s++) {
            for (int t = 0; t < 9; t++) {
                assertThat(x[s * 10 + t + 1]).isEqualTo(y[s * 10 + t]);
            }
        }
        assertThat(m.batch(3).get("x").ints()).isEqualTo(x);
        assertThat(m.batch(4).get("x").ints()).isNotEqualTo(x);
    }
}
