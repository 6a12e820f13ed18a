package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Row-major strided-batched GEMM against a float64 triple loop, on fresh random matrices. */
@Tag("gpu")
class CublasGpuTest {
    static CudaDevice device;
    static CudaStream stream;
    static DevicePool pool;
    static Cublas cublas;

    @BeforeAll
    static void open() {
        GpuTests.assumeGpu(CudaLibrary.CUDART, CudaLibrary.CUBLAS);
        device = CudaDevice.open(0);
        stream = CudaStream.create(device);
        pool = DevicePool.create(device);
        cublas = Cublas.create(stream, pool);
    }

    @AfterAll
    static void close() {
        if (cublas != null) {
            cublas.close();
            pool.close();
            stream.close();
        }
    }

    static double[] reference(boolean ta, boolean tb, int m, int n, int k, float[] a, long sa, float[] b, long sb, int batch) {
        double[] c = new double[batch * m * n];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        float x = a[(int) (p * sa) + (ta ? l * m + i : i * k + l)];
                        float y = b[(int) (p * sb) + (tb ? j * k + l : l * n + j)];
                        s += (double) x * y;
                    }
                    c[(p * m + i) * n + j] = s;
                }
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0} transA={1} transB={2} m={3} n={4} k={5} batch={6} sharedB={7}")
    @CsvSource({
            "FP32, false, false, 37, 29, 53, 1, false, 1e-5",
            "FP32, true, false, 16, 64, 33, 3, false, 1e-5",
            "FP32, false, true, 64, 48, 96, 4, false, 1e-5",
            "FP32, true, true, 9, 7, 5, 2, false, 1e-5",
            "FP32, false, false, 40, 24, 32, 3, true, 1e-5",
            "TF32, false, true, 128, 96, 256, 2, false, 5e-3",
            "BF16_INPUTS, false, false, 64, 80, 128, 2, false, 1e-4",
            "BF16_INPUTS, true, true, 32, 16, 64, 1, false, 1e-4"})
    void matches_the_float64_product(GemmPrecision prec, boolean ta, boolean tb, int m, int n, int k, int batch, boolean sharedB,
                                     double tol) {
        Random r = new Random();
        long sa = (long) m * k;
        long sb = sharedB ? 0 : (long) k * n;
        float[] a = new float[(int) (sa * batch)];
        float[] b = new float[(int) Math.max(sb * batch, (long) k * n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        if (prec == GemmPrecision.BF16_INPUTS) {
            // compare against the product of the rounded operands: the rounding is the point of bf16, not an error
            for (int i = 0; i < a.length; i++) {
                a[i] = GpuTests.fromBf16(GpuTests.bf16(a[i]));
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = GpuTests.fromBf16(GpuTests.bf16(b[i]));
            }
        }
        double[] want = reference(ta, tb, m, n, k, a, sa, b, sb, batch);
        int w = prec.operandBytes();
        try (DeviceBuffer da = pool.allocate((long) w * a.length); DeviceBuffer db = pool.allocate((long) w * b.length);
             DeviceBuffer dc = pool.allocate(4L * want.length)) {
            if (prec == GemmPrecision.BF16_INPUTS) {
                stream.copyToDevice(toBf16(a), da);
                stream.copyToDevice(toBf16(b), db);
            } else {
                stream.copyToDevice(a, da);
                stream.copyToDevice(b, db);
            }
            float[] nan = new float[want.length];
            java.util.Arrays.fill(nan, Float.NaN);
            stream.copyToDevice(nan, dc); // beta = 0 must not read C
            cublas.gemm(prec, ta, tb, m, n, k, 1f, da, sa, db, sb, 0f, dc, (long) m * n, batch);
            float[] got = new float[want.length];
            stream.copyToHost(dc, got);
            assertThat(got).doesNotContain(Float.NaN);
            assertThat(GpuTests.relativeError(got, want)).isLessThan(tol);
        }
    }

    static short[] toBf16(float[] x) {
        short[] s = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            s[i] = GpuTests.bf16(x[i]);
        }
        return s;
    }
}
