package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Each fused chain of the CPU twin writes the same floats as its kernels one by one, on one thread and on three. */
class FusedKernelsTest {
    private static final CpuKernels ONE = new CpuKernels(1);
    private static final CpuKernels THREE = new CpuKernels(3);
    private static final int ROWS = 512;
    private static final int N = 128;
    private final Random random = new Random(5);

    @AfterAll
    static void close() {
        ONE.close();
        THREE.close();
    }

    private float[] randn(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void scaleThenCausalSoftmax() {
        float[] x = randn(ROWS * N);
        float[] scaled = new float[x.length];
        float[] y = new float[x.length];
        ONE.scale(x, 0.17f, scaled, x.length);
        ONE.softmax(scaled, y, ROWS, N, N);
        for (CpuKernels k : new CpuKernels[] {ONE, THREE}) {
            float[] fusedScaled = new float[x.length];
            float[] fusedY = new float[x.length];
            k.scaleSoftmax(x, 0.17f, fusedScaled, fusedY, ROWS, N, N);
            assertThat(fusedScaled).isEqualTo(scaled);
            assertThat(fusedY).isEqualTo(y);
        }
    }

    @Test
    void softmaxGradThenScale() {
        float[] y = new float[ROWS * N];
        ONE.softmax(randn(y.length), y, ROWS, N, 0);
        float[] dy = randn(y.length);
        float[] dxs = new float[y.length];
        float[] dx = new float[y.length];
        ONE.softmaxGrad(y, dy, dxs, ROWS, N);
        ONE.scale(dxs, 0.17f, dx, dx.length);
        for (CpuKernels k : new CpuKernels[] {ONE, THREE}) {
            float[] fusedDxs = new float[y.length];
            float[] fusedDx = new float[y.length];
            k.softmaxGradScale(y, dy, 0.17f, fusedDxs, fusedDx, ROWS, N);
            assertThat(fusedDxs).isEqualTo(dxs);
            assertThat(fusedDx).isEqualTo(dx);
        }
    }

    @Test
    void biasThenGelu() {
        float[] a = randn(ROWS * N);
        float[] bias = randn(N);
        float[] h = new float[a.length];
        float[] y = new float[a.length];
        ONE.binary(BinaryKind.ADD, a, new long[] {N, 1}, bias, new long[] {0, 1}, h, new int[] {ROWS, N});
        ONE.activation(Activation.GELU, h, y, y.length);
        for (CpuKernels k : new CpuKernels[] {ONE, THREE}) {
            float[] fusedH = new float[a.length];
            float[] fusedY = new float[a.length];
            k.biasGelu(a, bias, fusedH, fusedY, ROWS, N);
            assertThat(fusedH).isEqualTo(h);
            assertThat(fusedY).isEqualTo(y);
        }
    }

    @Test
    void residualAddThenLayerNorm() {
        float[] a = randn(ROWS * N);
        float[] b = randn(ROWS * N);
        float[] gamma = randn(N);
        float[] beta = randn(N);
        float[] sum = new float[a.length];
        float[] y = new float[a.length];
        ONE.binary(BinaryKind.ADD, a, new long[] {N, 1}, b, new long[] {N, 1}, sum, new int[] {ROWS, N});
        ONE.layerNorm(sum, gamma, beta, y, ROWS, N, 1e-5f);
        for (CpuKernels k : new CpuKernels[] {ONE, THREE}) {
            float[] fusedSum = new float[a.length];
            float[] fusedY = new float[a.length];
            k.addLayerNorm(a, b, gamma, beta, fusedSum, fusedY, ROWS, N, 1e-5f);
            assertThat(fusedSum).isEqualTo(sum);
            assertThat(fusedY).isEqualTo(y);
        }
    }

    @Test
    void adamWMomentsAndUpdate() {
        int n = ROWS * N + 3;
        float[] p = randn(n);
        float[] g = randn(n);
        float[] m = randn(n);
        float[] v = new float[n];
        ONE.adamMoment(new float[n], randn(n), v, n, 0.5f, true);
        float[] step = {7};
        float[] mOut = new float[n];
        float[] vOut = new float[n];
        float[] pOut = new float[n];
        ONE.adamMoment(m, g, mOut, n, 0.9f, false);
        ONE.adamMoment(v, g, vOut, n, 0.999f, true);
        ONE.adamApply(p, mOut, vOut, step, pOut, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f);
        for (CpuKernels k : new CpuKernels[] {ONE, THREE}) {
            float[] fm = new float[n];
            float[] fv = new float[n];
            float[] fp = new float[n];
            k.adamStep(p, g, m, v, step, fp, fm, fv, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f);
            assertThat(fm).isEqualTo(mOut);
            assertThat(fv).isEqualTo(vOut);
            assertThat(fp).isEqualTo(pOut);
        }
    }
}
