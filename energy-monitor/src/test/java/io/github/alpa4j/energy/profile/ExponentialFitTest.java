package io.github.alpa4j.energy.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ExponentialFitTest {
    private static List<ExecutionOption> points(long first, int count, double a, double b, double c) {
        List<ExecutionOption> options = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            long q = first + 2L * k;
            options.add(new ExecutionOption(1400 - 15 * k, q * 1e-3, 0, q, a * Math.exp(b * (q - first)) + c));
        }
        return options;
    }

    /**
     * 200 exponentials: every range at its minimum, every range at its maximum, then random ones
     * with first in 5–3000, count in 4–25 (inclusive), a in [0.5, 50], rate in [0.01, 1] and c in
     * [−20, 20], drawn from a fixed seed.
     */
    static List<Arguments> exponentials() {
        Random random = new Random(0x5EED_E4FL);
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(5, 4, 0.5, 0.01, -20.0));
        cases.add(Arguments.of(3000, 25, 50.0, 1.0, 20.0));
        while (cases.size() < 200) {
            cases.add(Arguments.of(random.nextInt(5, 3000 + 1), random.nextInt(4, 25 + 1),
                    random.nextDouble(0.5, 50), random.nextDouble(0.01, 1), random.nextDouble(-20, 20)));
        }
        return cases;
    }

    @ParameterizedTest(name = "first {0}, count {1}, a {2}, rate {3}, c {4}")
    @MethodSource("exponentials")
    void recoversAnExactExponential(int first, int count, double a, double rate, double c) {
        double b = -rate / count;
        ExponentialEnergyModel model = ExponentialFit.fit(points(first, count, a, b, c));
        assertThat(model.origin()).isEqualTo(first);
        for (long q = first; q <= first + 2L * (count - 1); q++) {
            assertThat(model.energy(q)).isCloseTo(a * Math.exp(b * (q - first)) + c, within(1e-6 * (a + Math.abs(c))));
        }
    }

    @Test
    void concaveDataGetsTheBestConvexCurveWithANonNegativeAmplitude() {
        List<ExecutionOption> options = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            options.add(new ExecutionOption(1400 - 100 * k, 0, 0, 10 + k, -Math.exp(0.4 * k)));
        }
        ExponentialEnergyModel model = ExponentialFit.fit(options);
        assertThat(model.a()).isGreaterThanOrEqualTo(0);
        double mean = options.stream().mapToDouble(ExecutionOption::effectiveEnergyJoules).average().orElseThrow();
        double fitError = 0;
        double constantError = 0;
        for (ExecutionOption o : options) {
            fitError += Math.pow(model.energy(o.quanta()) - o.effectiveEnergyJoules(), 2);
            constantError += Math.pow(mean - o.effectiveEnergyJoules(), 2);
        }
        assertThat(fitError).as("no worse than the flat curve, itself convex").isLessThanOrEqualTo(constantError + 1e-12);
    }

    @Test
    void oneOptionGivesAConstant() {
        ExponentialEnergyModel model = ExponentialFit.fit(List.of(new ExecutionOption(1400, 0.05, 20, 50, 16)));
        assertThat(model.energy(50)).isEqualTo(16);
        assertThat(model.energy(70)).isEqualTo(16);
    }

    @Test
    void matchesTheAuthorsFitOnTheA100Profile() {
        // scipy's curve_fit on the same options gives 15184.2·exp(−0.14950·q) + 10.940 for stage 0 forward.
        FittedProfile fitted = FittedProfile.fit(PerseusData.profile(PerseusData.A100), 1e-3, PerseusData.A100_BLOCKING_WATTS);
        TimeEnergyCurve curve = fitted.curve(0, Instruction.FORWARD);
        assertThat(curve.options()).hasSize(13);
        assertThat(curve.minQuanta()).isEqualTo(50);
        assertThat(curve.maxQuanta()).isEqualTo(62);
        for (long q = 50; q <= 62; q++) {
            assertThat(curve.energy(q)).isCloseTo(1.51842073e4 * Math.exp(-1.49501053e-1 * q) + 10.9399081, within(1e-4));
        }
    }
}
