package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Strided-batched products on OpenBLAS against a float64 triple loop: both transpositions, operands
 * shared by the batch (stride 0), beta ≠ 0 (C read back in), on one thread and split over three.
 */
class CpuGemmTest {
    @ParameterizedTest(name = "threads {0}, transA {1}, transB {2}, batch {3}, A shared {4}, beta {5}")
    @CsvSource({
        "1, false, false, 1, false, 0", "3, false, false, 1, false, 0", "3, true, false, 1, false, 0.5",
        "3, false, true, 1, false, 0", "3, true, true, 1, false, 1", "1, false, true, 6, false, 0",
        "3, true, false, 6, false, 0.5", "3, false, false, 6, true, 0", "2, true, true, 5, true, 1"})
    void matchesATripleLoop(int threads, boolean transA, boolean transB, int batch, boolean sharedA, float beta) {
        int m = 300;
        int n = 70;
        int k = 90;
        Random r = new Random(7);
        long strideA = sharedA ? 0 : (long) m * k + 3; // a gap between products
        long strideB = (long) k * n;
        long strideC = (long) m * n;
        float[] a = new float[(int) (strideA * (batch - 1)) + m * k];
        float[] b = new float[(int) (strideB * (batch - 1)) + k * n];
        float[] c = new float[(int) (strideC * batch)];
        for (float[] x : new float[][] {a, b, c}) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
        }
        double[] want = new double[c.length];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        float ai = transA ? a[(int) (p * strideA) + q * m + i] : a[(int) (p * strideA) + i * k + q];
                        float bj = transB ? b[(int) (p * strideB) + j * k + q] : b[(int) (p * strideB) + q * n + j];
                        s += (double) ai * bj;
                    }
                    int at = (int) (p * strideC) + i * n + j;
                    want[at] = 0.75 * s + beta * c[at];
                }
            }
        }
        try (CpuKernels kernels = new CpuKernels(threads)) {
            kernels.gemm(transA, transB, m, n, k, 0.75f, a, strideA, b, strideB, beta, c, strideC, batch);
        }
        for (int i = 0; i < c.length; i++) {
            assertThat((double) c[i]).as("element %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(want[i]))));
        }
    }
}
