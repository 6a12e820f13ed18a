package io.github.alpa4j.kernels;

/**
 * The CPU twin's optimizer updates (SGD with momentum, AdamW), element-wise loops split over the
 * device's threads. {@link #adamStep} is AdamW's three ops in one pass over the parameter: each
 * element goes through the same float operations as {@link #adamMoment} twice and then
 * {@link #adamApply}, so its results are bitwise those of the three.
 */
final class CpuOptimizer {
    private CpuOptimizer() {
    }

    static void momentumUpdate(IntraOpPool pool, float[] v, float[] g, float[] p, float[] out, int n, float momentum, float weightDecay) {
        pool.parallelFor(n, CpuElementwise.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = momentum * v[i] + g[i] + weightDecay * p[i];
            }
        });
    }

    static void sgdApply(IntraOpPool pool, float[] p, float[] u, float[] out, int n, float lr) {
        pool.parallelFor(n, CpuElementwise.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                out[i] = p[i] - lr * u[i];
            }
        });
    }

    static void adamMoment(IntraOpPool pool, float[] m, float[] g, float[] out, int n, float beta, boolean squared) {
        float c = 1f - beta;
        pool.parallelFor(n, CpuElementwise.GRAIN, (from, to) -> {
            if (squared) {
                for (int i = from; i < to; i++) {
                    out[i] = beta * m[i] + c * (g[i] * g[i]);
                }
            } else {
                for (int i = from; i < to; i++) {
                    out[i] = beta * m[i] + c * g[i];
                }
            }
        });
    }

    /** 1 − β^t in float, for the bias corrections. */
    private static float correction(float beta, float[] step) {
        return (float) (1 - Math.pow(beta, step[0]));
    }

    static void adamApply(IntraOpPool pool, float[] p, float[] m, float[] v, float[] step, float[] out, int n,
                          float lr, float beta1, float beta2, float eps, float weightDecay) {
        float c1 = correction(beta1, step);
        float c2 = correction(beta2, step);
        pool.parallelFor(n, CpuElementwise.GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float upd = (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + eps) + weightDecay * p[i];
                out[i] = p[i] - lr * upd;
            }
        });
    }

    /**
     * AdamW in one pass: mOut = β1·m + (1−β1)·g, vOut = β2·v + (1−β2)·g², pOut = p − lr·(m̂/(√v̂ + ε) + wd·p)
     * with the new moments and t = step[0] (the incremented step, as the graph feeds adamApply); the
     * moments and the update are two loops over a block in cache, each short enough for C2 to vectorise.
     */
    static void adamStep(IntraOpPool pool, float[] p, float[] g, float[] m, float[] v, float[] step,
                         float[] pOut, float[] mOut, float[] vOut, int n, float lr, float beta1, float beta2, float eps, float weightDecay) {
        float a1 = 1f - beta1;
        float a2 = 1f - beta2;
        float c1 = correction(beta1, step);
        float c2 = correction(beta2, step);
        pool.parallelFor(n, CpuElementwise.GRAIN, (from, to) -> {
            for (int b = from; b < to; b += CpuMath.BLOCK) {
                int end = Math.min(to, b + CpuMath.BLOCK);
                for (int i = b; i < end; i++) {
                    mOut[i] = beta1 * m[i] + a1 * g[i];
                    vOut[i] = beta2 * v[i] + a2 * (g[i] * g[i]);
                }
                for (int i = b; i < end; i++) {
                    float upd = (mOut[i] / c1) / ((float) Math.sqrt(vOut[i] / c2) + eps) + weightDecay * p[i];
                    pOut[i] = p[i] - lr * upd;
                }
            }
        });
    }
}
