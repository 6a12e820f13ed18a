package io.github.alpa4j.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SteadyStateTest {
    private static SteadyState of(double[] seconds, double[] jit) {
        SteadyState s = SteadyState.ofThisJvm();
        for (int i = 0; i < seconds.length; i++) {
            s.step(seconds[i], jit[i]);
        }
        return s;
    }

    @Test
    void stepsThatAgreeWithAQuietCompilerAreSteady() {
        assertThat(of(new double[] {0.1, 0.1, 0.1, 0.1, 0.1}, new double[5]).steady()).isTrue();
        assertThat(of(new double[] {0.1, 0.1, 0.1, 0.1}, new double[4]).steady()).as("fewer than five steps").isFalse();
        assertThat(of(new double[] {0.100, 0.114, 0.101, 0.1, 0.1}, new double[5]).steady()).as("within 15 %").isTrue();
        assertThat(of(new double[] {0.1, 0.1, 0.100, 0.116, 0.101}, new double[5]).steady()).isFalse();
    }

    @Test
    void aBurstOfCompilationAnywhereInTheWindowKeepsItWarmingUp() {
        // the burst fell in the first of the five steps; the last three agree and compiled nothing
        double[] t = {0.1, 0.1, 0.1, 0.1, 0.1};
        assertThat(of(t, new double[] {0.026, 0, 0, 0, 0}).steady()).as("5.2 % of the window compiling").isFalse();
        assertThat(of(t, new double[] {0.024, 0, 0, 0, 0}).steady()).as("4.8 %").isTrue();
        // short steps: the window reaches back half a second, to the burst 40 steps ago
        double[] shortSteps = new double[60];
        java.util.Arrays.fill(shortSteps, 0.01);
        double[] jit = new double[60];
        jit[15] = 0.03;
        assertThat(of(shortSteps, jit).steady()).as("burst 45 steps (0.45 s) back").isFalse();
        jit[15] = 0;
        jit[5] = 0.03;
        assertThat(of(shortSteps, jit).steady()).as("burst 55 steps (0.55 s) back").isTrue();
    }

    @Test
    void aRunLeavesOutItsStepsUntilItSettled() {
        double[] t = {0.9, 0.6, 0.25, 0.43, 0.08, 0.085, 0.09, 0.08, 0.08, 0.08};
        SteadyState s = of(t, new double[t.length]);
        assertThat(s.settled(10)).isTrue();
        assertThat(s.warmup(10)).as("settled after the seventh step").isEqualTo(7);
        assertThat(s.resumedAfter(20).warmup(30)).as("a resumed run's earlier steps left out too").isEqualTo(27);
        SteadyState short1 = of(new double[] {0.9, 0.6, 0.25, 0.43, 0.08, 0.085, 0.09}, new double[7]);
        assertThat(short1.settled(7)).as("no three steps to spare").isFalse();
        assertThat(short1.warmup(7)).as("one in ten, at least one").isEqualTo(1);
    }

    @Test
    void aColdJvmSpeedingUpIsNotSteady() {
        assertThat(of(new double[] {0.9, 0.6, 0.25, 0.43, 0.08, 0.085}, new double[6]).steady()).isFalse();
        double[] t = {0.9, 0.6, 0.25, 0.43, 0.08, 0.085, 0.09};
        assertThat(of(t, new double[7]).steady()).isTrue();
    }
}
