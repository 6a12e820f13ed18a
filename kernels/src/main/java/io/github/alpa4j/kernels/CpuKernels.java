package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;

/**
 * The CPU twin of every kernel, on Java arrays, in float32 with float64 accumulation where a sum
 * runs long (reductions, norms, losses). Matrix products go to OpenBLAS ({@link CpuGemm}); the
 * loops live in {@link CpuElementwise}, {@link CpuNormalization}, {@link CpuLosses} and
 * {@link CpuOptimizer}, written so that C2 compiles their inner loops to SIMD code, and split over
 * the device's {@link IntraOpPool} (one thread by default: a simulated mesh runs a device per core).
 * Close it to stop its threads and free its native buffers.
 */
public final class CpuKernels implements Kernels<float[], int[]>, FusedKernels<float[]>, Bf16Casts<float[], short[]>, AutoCloseable {
    static {
        // One BLAS thread per calling thread: the simulated mesh already runs a thread per device, a
        // single device splits its products over its own threads, and OpenBLAS's spinning workers
        // slow small products tenfold when cores are shared. OPENBLAS_NUM_THREADS, when set, still wins.
        if (System.getenv("OPENBLAS_NUM_THREADS") == null) {
            org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
        }
    }

    private final IntraOpPool pool;
    private final CpuGemm gemm = new CpuGemm();

    /** Kernels that run on the calling thread alone. */
    public CpuKernels() {
        this(1);
    }

    /** Kernels that split their loops and products over {@code threads} threads, the caller's included. */
    public CpuKernels(int threads) {
        this.pool = new IntraOpPool(threads);
    }

    public int threads() {
        return pool.threads();
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
        CpuElementwise.binary(pool, kind, a, as, b, bs, out, dims);
    }

    @Override
    public void strided(float[] x, long xOffset, long[] xs, float[] y, int[] dims) {
        CpuElementwise.strided(pool, x, xOffset, xs, y, dims);
    }

    @Override
    public void im2col(float[] x, int n, int h, int w, int c, int kh, int kw, int stride, int pad, float[] out) {
        CpuPatches.im2col(pool, x, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void col2im(float[] col, int n, int h, int w, int c, int kh, int kw, int stride, int pad, float[] out) {
        CpuPatches.col2im(pool, col, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void activation(Activation act, float[] x, float[] y, long n) {
        CpuElementwise.activation(pool, act, x, y, (int) n);
    }

    @Override
    public void activationGrad(Activation act, float[] x, float[] dy, float[] dx, long n) {
        CpuElementwise.activationGrad(pool, act, x, dy, dx, (int) n);
    }

    @Override
    public void biasGelu(float[] a, float[] bias, float[] h, float[] y, long rows, int n) {
        CpuElementwise.biasGelu(pool, a, bias, h, y, (int) rows, n);
    }

    @Override
    public void scale(float[] x, float alpha, float[] y, long n) {
        CpuElementwise.scale(pool, x, alpha, y, (int) n);
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
        CpuElementwise.reduceSum(pool, x, dims, reduced, scale, y);
    }

    @Override
    public void softmax(float[] x, float[] y, long rows, int n, int causalSeq) {
        CpuNormalization.softmax(pool, x, 1f, null, y, (int) rows, n, causalSeq);
    }

    @Override
    public void scaleSoftmax(float[] x, float alpha, float[] scaled, float[] y, long rows, int n, int causalSeq) {
        CpuNormalization.softmax(pool, x, alpha, scaled, y, (int) rows, n, causalSeq);
    }

    @Override
    public void softmaxGrad(float[] y, float[] dy, float[] dx, long rows, int n) {
        CpuNormalization.softmaxGrad(pool, y, dy, dx, 1f, null, (int) rows, n);
    }

    @Override
    public void softmaxGradScale(float[] y, float[] dy, float alpha, float[] dxs, float[] dx, long rows, int n) {
        CpuNormalization.softmaxGrad(pool, y, dy, dxs, alpha, dx, (int) rows, n);
    }

    @Override
    public void layerNorm(float[] x, float[] gamma, float[] beta, float[] y, long rows, int h, float eps) {
        CpuNormalization.layerNorm(pool, null, null, x, gamma, beta, y, (int) rows, h, eps);
    }

    @Override
    public void addLayerNorm(float[] a, float[] b, float[] gamma, float[] beta, float[] sum, float[] y, long rows, int h, float eps) {
        CpuNormalization.layerNorm(pool, a, b, sum, gamma, beta, y, (int) rows, h, eps);
    }

    @Override
    public void layerNormGrad(float[] x, float[] gamma, float[] dy, float[] dx, long rows, int h, float eps) {
        CpuNormalization.layerNormGrad(pool, x, gamma, dy, dx, (int) rows, h, eps);
    }

    @Override
    public void layerNormGammaGrad(float[] x, float[] dy, float[] dgamma, long rows, int h, float eps) {
        CpuNormalization.layerNormGammaGrad(pool, x, dy, dgamma, (int) rows, h, eps);
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
        CpuLosses.crossEntropy(pool, logits, labels, loss, (int) rows, vocab, invCount);
    }

    @Override
    public void crossEntropyGrad(float[] logits, int[] labels, float[] dloss, float[] dlogits, long rows, int vocab, float invCount) {
        CpuLosses.crossEntropyGrad(pool, logits, labels, dloss, dlogits, (int) rows, vocab, invCount);
    }

    @Override
    public void rowMax(float[] x, float[] out, long rows, int n) {
        CpuLosses.rowMax(pool, x, out, (int) rows, n);
    }

    @Override
    public void rowSumExp(float[] x, float[] max, float[] out, long rows, int n) {
        CpuLosses.rowSumExp(pool, x, max, out, (int) rows, n);
    }

    @Override
    public void pickTarget(float[] logits, int[] labels, float[] out, long rows, int n, int vocabStart) {
        CpuLosses.pickTarget(logits, labels, out, (int) rows, n, vocabStart);
    }

    @Override
    public void crossEntropyFromStats(float[] max, float[] sumExp, float[] target, float[] loss, long rows, float invCount) {
        CpuLosses.crossEntropyFromStats(max, sumExp, target, loss, (int) rows, invCount);
    }

    @Override
    public void crossEntropyGradFromStats(float[] logits, int[] labels, float[] max, float[] sumExp, float[] dloss, float[] dlogits,
                                         long rows, int n, int vocabStart, float invCount) {
        CpuLosses.crossEntropyGradFromStats(pool, logits, labels, max, sumExp, dloss, dlogits, (int) rows, n, vocabStart, invCount);
    }

    @Override
    public void mse(float[] pred, float[] target, float[] loss, long n, float invCount) {
        CpuLosses.mse(pred, target, loss, (int) n, invCount);
    }

    @Override
    public void momentumUpdate(float[] v, float[] g, float[] p, float[] out, long n, float momentum, float weightDecay) {
        CpuOptimizer.momentumUpdate(pool, v, g, p, out, (int) n, momentum, weightDecay);
    }

    @Override
    public void sgdApply(float[] p, float[] u, float[] out, long n, float lr) {
        CpuOptimizer.sgdApply(pool, p, u, out, (int) n, lr);
    }

    @Override
    public void adamMoment(float[] m, float[] g, float[] out, long n, float beta, boolean squared) {
        CpuOptimizer.adamMoment(pool, m, g, out, (int) n, beta, squared);
    }

    @Override
    public void adamApply(float[] p, float[] m, float[] v, float[] step, float[] out, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay) {
        CpuOptimizer.adamApply(pool, p, m, v, step, out, (int) n, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void adamStep(float[] p, float[] g, float[] m, float[] v, float[] step, float[] pOut, float[] mOut, float[] vOut, long n,
                         float lr, float beta1, float beta2, float eps, float weightDecay) {
        CpuOptimizer.adamStep(pool, p, g, m, v, step, pOut, mOut, vOut, (int) n, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void top2Routing(io.github.alpa4j.ir.RoutingOp.Output what, float[] gates, float[] dcombine, float[] out, long groups,
                            int s, int e, int c) {
        CpuRouting.top2(pool, what, gates, dcombine, out, Math.toIntExact(groups), s, e, c);
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
        gemm.gemm(pool, transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    @Override
    public void close() {
        pool.close();
        gemm.close();
    }
}
