package io.github.alpa4j.kernels;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;

/**
 * The CPU twin of every kernel, on Java arrays, in float32 with float64 accumulation where a sum
 * runs long (reductions, norms, losses). Matrix products go to OpenBLAS; the element-wise, strided
 * and reduction loops live in {@link CpuElementwise}.
 */
public final class CpuKernels implements Kernels<float[], int[]>, Bf16Casts<float[], short[]> {
    static {
        // One BLAS thread per calling thread: the simulated mesh already runs a thread per device,
        // and OpenBLAS's spinning workers slow small products tenfold when cores are shared.
        // OPENBLAS_NUM_THREADS, when set, still wins.
        if (System.getenv("OPENBLAS_NUM_THREADS") == null) {
            org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
        }
    }

    @Override
    public void fill(float[] out, long n, float value) {
        java.util.Arrays.fill(out, 0, (int) n, value);
    }

    @Override
    public void copy(float[] x, long xOff, float[] out, long outOff, long n) {
        System.arraycopy(x, (int) xOff, out, (int) outOff, (int) n);
    }

    @Override
    public void binary(BinaryKind kind, float[] a, long[] as, float[] b, long[] bs, float[] out, int[] dims) {
        CpuElementwise.binary(kind, a, as, b, bs, out, dims);
    }

    @Override
    public void strided(float[] x, long xOffset, long[] xs, float[] y, int[] dims) {
        CpuElementwise.strided(x, xOffset, xs, y, dims);
    }

    @Override
    public void activation(Activation act, float[] x, float[] y, long n) {
        CpuElementwise.activation(act, x, y, (int) n);
    }

    @Override
    public void activationGrad(Activation act, float[] x, float[] dy, float[] dx, long n) {
        CpuElementwise.activationGrad(act, x, dy, dx, (int) n);
    }

    @Override
    public void scale(float[] x, float alpha, float[] y, long n) {
        for (int i = 0; i < n; i++) {
            y[i] = alpha * x[i];
        }
    }

    @Override
    public void round(io.github.alpa4j.ir.DType type, float[] x, float[] y, long n) {
        LowPrecision.round(type, x, y, Math.toIntExact(n));
    }

    @Override
    public void flagNonFinite(float[] x, long n, float[] flag) {
        LowPrecision.flagNonFinite(x, Math.toIntExact(n), flag);
    }

    @Override
    public void reduceSum(float[] x, int[] dims, boolean[] reduced, float scale, float[] y) {
        CpuElementwise.reduceSum(x, dims, reduced, scale, y);
    }

    @Override
    public void softmax(float[] x, float[] y, long rows, int n, int causalSeq) {
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            int valid = causalSeq > 0 ? (r % causalSeq) + 1 : n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < valid; j++) {
                max = Math.max(max, x[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < valid; j++) {
                float e = (float) Math.exp(x[base + j] - max);
                y[base + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < valid; j++) {
                y[base + j] *= inv;
            }
            for (int j = valid; j < n; j++) {
                y[base + j] = 0f;
            }
        }
    }

    @Override
    public void softmaxGrad(float[] y, float[] dy, float[] dx, long rows, int n) {
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double dot = 0;
            for (int j = 0; j < n; j++) {
                dot += (double) y[base + j] * dy[base + j];
            }
            float d = (float) dot;
            for (int j = 0; j < n; j++) {
                dx[base + j] = y[base + j] * (dy[base + j] - d);
            }
        }
    }

    /** Mean and 1/sqrt(var + eps) of row r. */
    private static void moments(float[] x, int base, int h, float eps, float[] out) {
        double mean = 0;
        for (int j = 0; j < h; j++) {
            mean += x[base + j];
        }
        mean /= h;
        double var = 0;
        for (int j = 0; j < h; j++) {
            double d = x[base + j] - mean;
            var += d * d;
        }
        var /= h;
        out[0] = (float) mean;
        out[1] = (float) (1.0 / Math.sqrt(var + eps));
    }

    @Override
    public void layerNorm(float[] x, float[] gamma, float[] beta, float[] y, long rows, int h, float eps) {
        float[] m = new float[2];
        for (int r = 0; r < rows; r++) {
            int base = r * h;
            moments(x, base, h, eps, m);
            for (int j = 0; j < h; j++) {
                y[base + j] = (x[base + j] - m[0]) * m[1] * gamma[j] + beta[j];
            }
        }
    }

    @Override
    public void layerNormGrad(float[] x, float[] gamma, float[] dy, float[] dx, long rows, int h, float eps) {
        float[] m = new float[2];
        for (int r = 0; r < rows; r++) {
            int base = r * h;
            moments(x, base, h, eps, m);
            double sumG = 0;
            double sumGX = 0;
            for (int j = 0; j < h; j++) {
                double g = dy[base + j] * gamma[j];
                sumG += g;
                sumGX += g * (x[base + j] - m[0]) * m[1];
            }
            float meanG = (float) (sumG / h);
            float meanGX = (float) (sumGX / h);
            for (int j = 0; j < h; j++) {
                float xh = (x[base + j] - m[0]) * m[1];
                dx[base + j] = m[1] * (dy[base + j] * gamma[j] - meanG - xh * meanGX);
            }
        }
    }

    @Override
    public void layerNormGammaGrad(float[] x, float[] dy, float[] dgamma, long rows, int h, float eps) {
        double[] acc = new double[h];
        float[] m = new float[2];
        for (int r = 0; r < rows; r++) {
            int base = r * h;
            moments(x, base, h, eps, m);
            for (int j = 0; j < h; j++) {
                acc[j] += dy[base + j] * (x[base + j] - m[0]) * m[1];
            }
        }
        for (int j = 0; j < h; j++) {
            dgamma[j] = (float) acc[j];
        }
    }

    @Override
    public void embedding(int[] ids, float[] table, float[] out, long n, int h, int vocabStart, int tableRows) {
        for (int i = 0; i < n; i++) {
            int row = ids[i] - vocabStart;
            if (row >= 0 && row < tableRows) {
                System.arraycopy(table, row * h, out, i * h, h);
            } else {
                java.util.Arrays.fill(out, i * h, (i + 1) * h, 0f);
            }
        }
    }

    @Override
    public void embeddingGrad(int[] ids, float[] dy, float[] dtable, long n, int h, int vocabStart, int tableRows) {
        java.util.Arrays.fill(dtable, 0, tableRows * h, 0f);
        for (int i = 0; i < n; i++) {
            int row = ids[i] - vocabStart;
            if (row >= 0 && row < tableRows) {
                for (int j = 0; j < h; j++) {
                    dtable[row * h + j] += dy[i * h + j];
                }
            }
        }
    }

    @Override
    public void crossEntropy(float[] logits, int[] labels, float[] loss, long rows, int vocab, float invCount) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logits[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(logits[base + j] - max);
            }
            total += Math.log(sum) + max - logits[base + labels[r]];
        }
        loss[0] = (float) (total * invCount);
    }

    @Override
    public void crossEntropyGrad(float[] logits, int[] labels, float[] dloss, float[] dlogits, long rows, int vocab, float invCount) {
        float g = dloss[0] * invCount;
        for (int r = 0; r < rows; r++) {
            int base = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logits[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(logits[base + j] - max);
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < vocab; j++) {
                dlogits[base + j] = (float) Math.exp(logits[base + j] - max) * inv * g;
            }
            dlogits[base + labels[r]] -= g;
        }
    }

    @Override
    public void rowMax(float[] x, float[] out, long rows, int n) {
        for (int r = 0; r < rows; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                m = Math.max(m, x[r * n + j]);
            }
            out[r] = m;
        }
    }

    @Override
    public void rowSumExp(float[] x, float[] max, float[] out, long rows, int n) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += Math.exp(x[r * n + j] - max[r]);
            }
            out[r] = (float) s;
        }
    }

    @Override
    public void pickTarget(float[] logits, int[] labels, float[] out, long rows, int n, int vocabStart) {
        for (int r = 0; r < rows; r++) {
            int j = labels[r] - vocabStart;
            out[r] = j >= 0 && j < n ? logits[r * n + j] : 0f;
        }
    }

    @Override
    public void crossEntropyFromStats(float[] max, float[] sumExp, float[] target, float[] loss, long rows, float invCount) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += Math.log(sumExp[r]) + max[r] - target[r];
        }
        loss[0] = (float) (total * invCount);
    }

    @Override
    public void crossEntropyGradFromStats(float[] logits, int[] labels, float[] max, float[] sumExp, float[] dloss, float[] dlogits,
                                         long rows, int n, int vocabStart, float invCount) {
        float g = dloss[0] * invCount;
        for (int r = 0; r < rows; r++) {
            float inv = (float) (1.0 / sumExp[r]);
            for (int j = 0; j < n; j++) {
                dlogits[r * n + j] = (float) Math.exp(logits[r * n + j] - max[r]) * inv * g;
            }
            int t = labels[r] - vocabStart;
            if (t >= 0 && t < n) {
                dlogits[r * n + t] -= g;
            }
        }
    }

    @Override
    public void mse(float[] pred, float[] target, float[] loss, long n, float invCount) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double d = pred[i] - target[i];
            s += d * d;
        }
        loss[0] = (float) (s * invCount);
    }

    @Override
    public void momentumUpdate(float[] v, float[] g, float[] p, float[] out, long n, float momentum, float weightDecay) {
        for (int i = 0; i < n; i++) {
            out[i] = momentum * v[i] + g[i] + weightDecay * p[i];
        }
    }

    @Override
    public void sgdApply(float[] p, float[] u, float[] out, long n, float lr) {
        for (int i = 0; i < n; i++) {
            out[i] = p[i] - lr * u[i];
        }
    }

    @Override
    public void adamMoment(float[] m, float[] g, float[] out, long n, float beta, boolean squared) {
        float c = 1f - beta;
        for (int i = 0; i < n; i++) {
            float gi = squared ? g[i] * g[i] : g[i];
            out[i] = beta * m[i] + c * gi;
        }
    }

    @Override
    public void adamApply(float[] p, float[] m, float[] v, float[] step, float[] out, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay) {
        double t = step[0];
        float c1 = (float) (1 - Math.pow(beta1, t));
        float c2 = (float) (1 - Math.pow(beta2, t));
        for (int i = 0; i < n; i++) {
            float upd = (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + eps) + weightDecay * p[i];
            out[i] = p[i] - lr * upd;
        }
    }

    @Override
    public void stepIncrement(float[] t, float[] out) {
        out[0] = t[0] + 1f;
    }

    @Override
    public void toBf16(float[] x, short[] y, long n) {
        LowPrecision.toBf16(x, y, Math.toIntExact(n));
    }

    @Override
    public void fromBf16(short[] x, float[] y, long n) {
        LowPrecision.fromBf16(x, y, Math.toIntExact(n));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, long strideA, float[] b, long strideB, float beta, float[] c, long strideC, int batch) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        if (batch == 1) {
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, n);
            return;
        }
        // JNI hands OpenBLAS a copy of each whole Java array per call, so a batch of products on one
        // big array would copy it once per product (attention: 96 copies of the scores); copy each
        // product's own slices instead (the same numbers: OpenBLAS gets the same values and shapes)
        int sa = m * k;
        int sb = k * n;
        int sc = m * n;
        float[] as = strideA == 0 ? a : new float[sa];
        float[] bs = strideB == 0 ? b : new float[sb];
        float[] cs = new float[sc];
        for (int i = 0; i < batch; i++) {
            if (strideA != 0) {
                System.arraycopy(a, (int) (strideA * i), as, 0, sa);
            }
            if (strideB != 0) {
                System.arraycopy(b, (int) (strideB * i), bs, 0, sb);
            }
            int oc = (int) (strideC * i);
            if (beta != 0) {
                System.arraycopy(c, oc, cs, 0, sc);
            }
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, as, lda, bs, ldb, beta, cs, n);
            System.arraycopy(cs, 0, c, oc, sc);
        }
    }
}
