package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The vectorisable exp and tanh against float64 on dense grids of their whole useful range. */
class CpuMathTest {
    private static final int N = 400_001;

    private static float[] grid(float from, float to) {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = from + (to - from) * i / (N - 1);
        }
        return x;
    }

    @Test
    void expIsWithinOneUlpOverItsRange() {
        float[] x = grid(-87f, 88f);
        float[] y = new float[N];
        CpuMath.exp(x, 0f, y, 0, N, CpuMath.exponents());
        double worst = 0;
        for (int i = 0; i < N; i++) {
            double want = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - want) / want);
        }
        assertThat(worst).isLessThan(Math.ulp(1f));
    }

    /** The softmax form: exp(x − shift) over part of an array, across block boundaries, in place too. */
    @Test
    void expShiftsWithinARangeAndInPlace() {
        float[] x = grid(-3f, 3f);
        float[] y = new float[N];
        CpuMath.exp(x, 1.25f, y, 5, N - 3, CpuMath.exponents());
        assertThat(y[4]).isZero();
        assertThat(y[N - 3]).isZero();
        float[] inPlace = x.clone();
        CpuMath.exp(inPlace, 1.25f, inPlace, 5, N - 3, CpuMath.exponents());
        for (int i = 5; i < N - 3; i += 997) {
            double want = Math.exp(x[i] - 1.25f);
            assertThat((double) y[i]).as("x = %s", x[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(2e-7 * want));
            assertThat(inPlace[i]).isEqualTo(y[i]);
        }
    }

    /** Far below the range exp is clamped to about 1e-38 (a softmax never sees it: masked keys are skipped). */
    @Test
    void expClampsOutOfRangeArguments() {
        float[] y = new float[3];
        CpuMath.exp(new float[] {-1000f, Float.NEGATIVE_INFINITY, 0f}, 0f, y, 0, 3, CpuMath.exponents());
        assertThat(y[0]).isPositive().isLessThan(2e-38f);
        assertThat(y[1]).isEqualTo(y[0]);
        assertThat(y[2]).isEqualTo(1f);
        float[] nan = new float[1];
        CpuMath.exp(new float[] {Float.NaN}, 0f, nan, 0, 1, CpuMath.exponents());
        assertThat(nan[0]).isNaN();
    }

    @Test
    void tanhIsWithinFourTenthsOfAMillionth() {
        float[] u = grid(-12f, 12f);
        double worst = 0;
        for (float v : u) {
            worst = Math.max(worst, Math.abs(CpuMath.tanh(v) - Math.tanh(v)));
        }
        assertThat(worst).isLessThan(4e-7);
        assertThat(CpuMath.tanh(0f)).isZero();
        assertThat(CpuMath.tanh(Float.NaN)).isNaN();
    }
}
