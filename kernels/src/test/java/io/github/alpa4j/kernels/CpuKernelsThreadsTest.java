package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kernels split over three threads compute the same floats as on one, bit for bit: every output
 * element is computed by one thread in one order whatever the number of threads (sums over rows
 * are split by column). Shapes are large enough for every loop to split. Matrix products, whose
 * rows OpenBLAS may block differently, agree to float32 rounding.
 */
class CpuKernelsThreadsTest {
    private static final CpuKernels ONE = new CpuKernels(1);
    private static final CpuKernels THREE = new CpuKernels(3);
    private static final int ROWS = 1024;
    private static final int H = 256;
    private final Random random = new Random(19);

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

    private int[] ids(int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(bound);
        }
        return x;
    }

    /** Runs {@code kernel} on both kernel sets into fresh outputs of n elements; they must be equal. */
    private static void same(int n, BiConsumer<CpuKernels, float[]> kernel) {
        float[] one = new float[n];
        float[] three = new float[n];
        kernel.accept(ONE, one);
        kernel.accept(THREE, three);
        assertThat(three).isEqualTo(one);
        assertThat(one).as("the kernel wrote its output").isNotEqualTo(new float[n]);
    }

    @ParameterizedTest
    @EnumSource(BinaryKind.class)
    void binaryContiguousBroadcastAndStrided(BinaryKind kind) {
        float[] a = randn(ROWS * H);
        float[] b = randn(ROWS * H);
        long[] rowMajor = {H, 1};
        same(ROWS * H, (k, out) -> k.binary(kind, a, rowMajor, b, rowMajor, out, new int[] {ROWS, H}));
        same(ROWS * H, (k, out) -> k.binary(kind, a, rowMajor, b, new long[] {0, 1}, out, new int[] {ROWS, H}));
        // b read transposed: a stride only known at run time
        same(H * H, (k, out) -> k.binary(kind, a, new long[] {H, 1}, b, new long[] {1, H}, out, new int[] {H, H}));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationsAndScale(Activation act) {
        float[] x = randn(ROWS * H);
        float[] dy = randn(ROWS * H);
        same(x.length, (k, out) -> k.activation(act, x, out, x.length));
        same(x.length, (k, out) -> k.activationGrad(act, x, dy, out, x.length));
        same(x.length, (k, out) -> k.scale(x, 0.3f, out, x.length));
    }

    @Test
    void stridedPermutesAttentionHeads() {
        // [8, 128, 8, 32] read as [8, 8, 128, 32]
        float[] x = randn(8 * 128 * 8 * 32);
        same(x.length, (k, out) -> k.strided(x, 0, new long[] {32768, 32, 256, 1}, out, new int[] {8, 8, 128, 32}));
    }

    @Test
    void reductionsOverColumnsRowsAndBoth() {
        float[] x = randn(64 * 64 * 32);
        same(64 * 32, (k, out) -> k.reduceSum(x, new int[] {64, 64, 32}, new boolean[] {true, false, false}, 1f, out));
        same(64 * 64, (k, out) -> k.reduceSum(x, new int[] {64, 64, 32}, new boolean[] {false, false, true}, 0.5f, out));
        same(64, (k, out) -> k.reduceSum(x, new int[] {64, 64, 32}, new boolean[] {true, false, true}, 1f, out));
    }

    @Test
    void softmaxCausalScaledAndItsGradient() {
        float[] x = randn(ROWS * 128);
        float[] dy = randn(ROWS * 128);
        same(x.length, (k, out) -> k.softmax(x, out, ROWS, 128, 128));
        float[] y = new float[x.length];
        ONE.softmax(x, y, ROWS, 128, 0);
        same(x.length, (k, out) -> k.softmaxGrad(y, dy, out, ROWS, 128));
    }

    @Test
    void layerNormAndItsGradients() {
        float[] x = randn(ROWS * H);
        float[] gamma = randn(H);
        float[] beta = randn(H);
        float[] dy = randn(ROWS * H);
        same(x.length, (k, out) -> k.layerNorm(x, gamma, beta, out, ROWS, H, 1e-5f));
        same(x.length, (k, out) -> k.layerNormGrad(x, gamma, dy, out, ROWS, H, 1e-5f));
        same(H, (k, out) -> k.layerNormGammaGrad(x, dy, out, ROWS, H, 1e-5f));
    }

    @Test
    void crossEntropyWholeAndFromStatistics() {
        float[] logits = randn(ROWS * H);
        int[] labels = ids(ROWS, H);
        float[] max = new float[ROWS];
        ONE.rowMax(logits, max, ROWS, H);
        float[] sumExp = new float[ROWS];
        ONE.rowSumExp(logits, max, sumExp, ROWS, H);
        same(1, (k, out) -> k.crossEntropy(logits, labels, out, ROWS, H, 1f / ROWS));
        same(logits.length, (k, out) -> k.crossEntropyGrad(logits, labels, new float[] {1f}, out, ROWS, H, 1f / ROWS));
        same(ROWS, (k, out) -> k.rowMax(logits, out, ROWS, H));
        same(ROWS, (k, out) -> k.rowSumExp(logits, max, out, ROWS, H));
        same(logits.length, (k, out) -> k.crossEntropyGradFromStats(logits, labels, max, sumExp, new float[] {1f}, out, ROWS, H, 0,
                1f / ROWS));
    }

    @Test
    void optimizerUpdates() {
        int n = ROWS * H;
        float[] p = randn(n);
        float[] g = randn(n);
        float[] m = randn(n);
        float[] v = new float[n];
        ONE.adamMoment(m, g, v, n, 0.999f, true);
        same(n, (k, out) -> k.adamMoment(m, g, out, n, 0.9f, false));
        same(n, (k, out) -> k.adamMoment(v, g, out, n, 0.999f, true));
        same(n, (k, out) -> k.adamApply(p, m, v, new float[] {3}, out, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f));
        same(n, (k, out) -> k.momentumUpdate(m, g, p, out, n, 0.9f, 0.01f));
        same(n, (k, out) -> k.sgdApply(p, g, out, n, 0.1f));
    }

    @Test
    void productsSplitByRowsAndByBatch() {
        float[] a = randn(512 * 256);
        float[] b = randn(256 * 256);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                float[] one = new float[512 * 256];
                float[] three = new float[512 * 256];
                ONE.gemm(transA, transB, 512, 256, 256, 1f, a, 0, b, 0, 0f, one, 0, 1);
                THREE.gemm(transA, transB, 512, 256, 256, 1f, a, 0, b, 0, 0f, three, 0, 1);
                assertThat(relativeError(three, one)).as("transA %s, transB %s", transA, transB).isLessThan(1e-6);
            }
        }
        // 32 products of [64, 32]·[32, 64], B shared by all
        float[] one = new float[32 * 64 * 64];
        float[] three = new float[one.length];
        ONE.gemm(false, false, 64, 64, 32, 1f, a, 64 * 32, b, 0, 0f, one, 64 * 64, 32);
        THREE.gemm(false, false, 64, 64, 32, 1f, a, 64 * 32, b, 0, 0f, three, 64 * 64, 32);
        assertThat(relativeError(three, one)).isLessThan(1e-6);
    }

    private static double relativeError(float[] got, float[] want) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (got[i] - want[i]) * (double) (got[i] - want[i]);
            norm += want[i] * (double) want[i];
        }
        return Math.sqrt(diff / norm);
    }
}
