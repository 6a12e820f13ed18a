package io.github.alpa4j.kernels;

/**
 * The CPU twin's losses and their gradients: cross entropy (whole, or from the all-reduced row
 * statistics of vocabulary-parallel shards) and mean squared error. Per-row work is split over the
 * device's threads; the loss itself is summed over rows in row order on the calling thread.
 */
final class CpuLosses {
    private static final ThreadLocal<double[][]> ROWS = ThreadLocal.withInitial(() -> new double[][] {new double[1024]});
    private static final ThreadLocal<float[][]> EXPS = ThreadLocal.withInitial(() -> new float[][] {new float[1024]});

    private CpuLosses() {
    }

    /** The calling thread's per-row scratch, shared with the pool for one call. */
    private static double[] rowBuffer(int rows) {
        double[][] held = ROWS.get();
        if (held[0].length < rows) {
            held[0] = new double[Math.max(rows, 2 * held[0].length)];
        }
        return held[0];
    }

    /** This thread's scratch for one row of exponentials. */
    private static float[] exps(int n) {
        float[][] held = EXPS.get();
        if (held[0].length < n) {
            held[0] = new float[Math.max(n, 2 * held[0].length)];
        }
        return held[0];
    }

    private static int grain(int n) {
        return Math.max(1, CpuElementwise.GRAIN / Math.max(1, n));
    }

    static void crossEntropy(IntraOpPool pool, float[] logits, int[] labels, float[] loss, int rows, int vocab, float invCount) {
        double[] perRow = rowBuffer(rows);
        pool.parallelFor(rows, grain(vocab), (from, to) -> {
            float[] e = exps(vocab);
            int[] bits = CpuMath.exponents();
            for (int r = from; r < to; r++) {
                int base = r * vocab;
                float max = CpuNormalization.max(logits, base, vocab);
                System.arraycopy(logits, base, e, 0, vocab);
                CpuMath.exp(e, max, e, 0, vocab, bits);
                perRow[r] = Math.log(CpuNormalization.sum(e, 0, vocab)) + max - logits[base + labels[r]];
            }
        });
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += perRow[r];
        }
        loss[0] = (float) (total * invCount);
    }

    static void crossEntropyGrad(IntraOpPool pool, float[] logits, int[] labels, float[] dloss, float[] dlogits, int rows, int vocab,
                                 float invCount) {
        float g = dloss[0] * invCount;
        pool.parallelFor(rows, grain(vocab), (from, to) -> {
            int[] bits = CpuMath.exponents();
            for (int r = from; r < to; r++) {
                int base = r * vocab;
                float max = CpuNormalization.max(logits, base, vocab);
                CpuMath.exp(logits, max, dlogits, base, base + vocab, bits);
                float scale = (float) (1.0 / CpuNormalization.sum(dlogits, base, vocab)) * g;
                for (int i = base; i < base + vocab; i++) {
                    dlogits[i] *= scale;
                }
                dlogits[base + labels[r]] -= g;
            }
        });
    }

    static void rowMax(IntraOpPool pool, float[] x, float[] out, int rows, int n) {
        pool.parallelFor(rows, grain(n), (from, to) -> {
            for (int r = from; r < to; r++) {
                out[r] = CpuNormalization.max(x, r * n, n);
            }
        });
    }

    static void rowSumExp(IntraOpPool pool, float[] x, float[] max, float[] out, int rows, int n) {
        pool.parallelFor(rows, grain(n), (from, to) -> {
            float[] e = exps(n);
            int[] bits = CpuMath.exponents();
            for (int r = from; r < to; r++) {
                System.arraycopy(x, r * n, e, 0, n);
                CpuMath.exp(e, max[r], e, 0, n, bits);
                out[r] = (float) CpuNormalization.sum(e, 0, n);
            }
        });
    }

    static void pickTarget(float[] logits, int[] labels, float[] out, int rows, int n, int vocabStart) {
        for (int r = 0; r < rows; r++) {
            int j = labels[r] - vocabStart;
            out[r] = j >= 0 && j < n ? logits[r * n + j] : 0f;
        }
    }

    static void crossEntropyFromStats(float[] max, float[] sumExp, float[] target, float[] loss, int rows, float invCount) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += Math.log(sumExp[r]) + max[r] - target[r];
        }
        loss[0] = (float) (total * invCount);
    }

    static void crossEntropyGradFromStats(IntraOpPool pool, float[] logits, int[] labels, float[] max, float[] sumExp, float[] dloss,
                                          float[] dlogits, int rows, int n, int vocabStart, float invCount) {
        float g = dloss[0] * invCount;
        pool.parallelFor(rows, grain(n), (from, to) -> {
            int[] bits = CpuMath.exponents();
            for (int r = from; r < to; r++) {
                int base = r * n;
                CpuMath.exp(logits, max[r], dlogits, base, base + n, bits);
                float scale = (float) (1.0 / sumExp[r]) * g;
                for (int i = base; i < base + n; i++) {
                    dlogits[i] *= scale;
                }
                int t = labels[r] - vocabStart;
                if (t >= 0 && t < n) {
                    dlogits[base + t] -= g;
                }
            }
        });
    }

    static void mse(float[] pred, float[] target, float[] loss, int n, float invCount) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double d = pred[i] - target[i];
            s += d * d;
        }
        loss[0] = (float) (s * invCount);
    }
}
