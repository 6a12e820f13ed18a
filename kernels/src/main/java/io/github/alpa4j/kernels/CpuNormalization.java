package io.github.alpa4j.kernels;

/**
 * The CPU twin's softmax and layer norm, row by row, rows split over the device's threads. Sums
 * along a row run in float64 over four accumulators ({@link #sum}); the element-wise passes are
 * plain loops C2 compiles to SIMD code.
 */
final class CpuNormalization {
    private static final ThreadLocal<float[][]> MOMENTS = ThreadLocal.withInitial(() -> new float[][] {new float[2048]});

    private CpuNormalization() {
    }

    /** Rows per chunk of a split loop over rows of length n. */
    private static int grain(int n) {
        return Math.max(1, CpuElementwise.GRAIN / Math.max(1, n));
    }

    /** Σ x[off + j] for j &lt; n in float64, four partial sums for instruction-level parallelism. */
    static double sum(float[] x, int off, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            s0 += x[off + j];
            s1 += x[off + j + 1];
            s2 += x[off + j + 2];
            s3 += x[off + j + 3];
        }
        for (; j < n; j++) {
            s0 += x[off + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static float max(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            m = Math.max(m, x[off + j]);
        }
        return m;
    }

    /**
     * y = softmax(x) over rows of n; with causalSeq &gt; 0 key j of row r is masked when
     * j &gt; r mod causalSeq. With {@code scaled} (else null), first scaled = alpha·x, row by row,
     * and the softmax of that: the same floats as a scale and a softmax apart.
     */
    static void softmax(IntraOpPool pool, float[] x, float alpha, float[] scaled, float[] y, int rows, int n, int causalSeq) {
        pool.parallelFor(rows, grain(n), (from, to) -> {
            int[] bits = CpuMath.exponents();
            for (int r = from; r < to; r++) {
                int base = r * n;
                float[] in = x;
                if (scaled != null) {
                    for (int i = base; i < base + n; i++) {
                        scaled[i] = alpha * x[i];
                    }
                    in = scaled;
                }
                int end = base + (causalSeq > 0 ? (r % causalSeq) + 1 : n);
                CpuMath.exp(in, max(in, base, end - base), y, base, end, bits);
                float inv = (float) (1.0 / sum(y, base, end - base));
                for (int i = base; i < end; i++) {
                    y[i] *= inv;
                }
                java.util.Arrays.fill(y, end, base + n, 0f);
            }
        });
    }

    /** dx = y·(dy − Σ y·dy) per row; with {@code scaled} (else null), that into dx and scaled = alpha·dx. */
    static void softmaxGrad(IntraOpPool pool, float[] y, float[] dy, float[] dx, float alpha, float[] scaled, int rows, int n) {
        pool.parallelFor(rows, grain(n), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * n;
                double d0 = 0;
                double d1 = 0;
                int i = base;
                for (; i + 2 <= base + n; i += 2) {
                    d0 += (double) y[i] * dy[i];
                    d1 += (double) y[i + 1] * dy[i + 1];
                }
                for (; i < base + n; i++) {
                    d0 += (double) y[i] * dy[i];
                }
                float d = (float) (d0 + d1);
                for (i = base; i < base + n; i++) {
                    dx[i] = y[i] * (dy[i] - d);
                }
                if (scaled != null) {
                    for (i = base; i < base + n; i++) {
                        scaled[i] = alpha * dx[i];
                    }
                }
            }
        });
    }

    /**
     * Mean and 1/sqrt(var + eps) of row r into m[2r], m[2r + 1], in one pass: float64 sums of x and
     * x² (var = E[x²] − mean², exact to float32 for float inputs unless the mean exceeds the
     * deviation by four orders of magnitude), two accumulators of each.
     */
    private static void moments(float[] x, int r, int h, float eps, float[] m) {
        int base = r * h;
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        int i = base;
        for (; i + 2 <= base + h; i += 2) {
            double a = x[i];
            double b = x[i + 1];
            s0 += a;
            s1 += b;
            q0 += a * a;
            q1 += b * b;
        }
        for (; i < base + h; i++) {
            double a = x[i];
            s0 += a;
            q0 += a * a;
        }
        double mean = (s0 + s1) / h;
        double var = Math.max(0, (q0 + q1) / h - mean * mean);
        m[2 * r] = (float) mean;
        m[2 * r + 1] = (float) (1.0 / Math.sqrt(var + eps));
    }

    /** The calling thread's buffer of per-row moments, shared with the pool for one call. */
    private static float[] momentBuffer(int rows) {
        float[][] held = MOMENTS.get();
        if (held[0].length < 2 * rows) {
            held[0] = new float[Math.max(2 * rows, 2 * held[0].length)];
        }
        return held[0];
    }

    /** y = layerNorm(x); with {@code b} (else null), first x = a + b row by row (x written), then its norm. */
    static void layerNorm(IntraOpPool pool, float[] a, float[] b, float[] x, float[] gamma, float[] beta, float[] y, int rows, int h,
                          float eps) {
        float[] m = momentBuffer(rows);
        pool.parallelFor(rows, grain(h), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * h;
                if (b != null) {
                    for (int i = base; i < base + h; i++) {
                        x[i] = a[i] + b[i];
                    }
                }
                moments(x, r, h, eps, m);
                float mean = m[2 * r];
                float rstd = m[2 * r + 1];
                for (int i = base, j = 0; i < base + h; i++, j++) {
                    y[i] = (x[i] - mean) * rstd * gamma[j] + beta[j];
                }
            }
        });
    }

    static void layerNormGrad(IntraOpPool pool, float[] x, float[] gamma, float[] dy, float[] dx, int rows, int h, float eps) {
        float[] m = momentBuffer(rows);
        pool.parallelFor(rows, grain(h), (from, to) -> {
            for (int r = from; r < to; r++) {
                moments(x, r, h, eps, m);
                int base = r * h;
                float mean = m[2 * r];
                float rstd = m[2 * r + 1];
                double sumG = 0;
                double sumGX = 0;
                for (int j = 0; j < h; j++) {
                    double g = dy[base + j] * gamma[j];
                    sumG += g;
                    sumGX += g * (x[base + j] - mean) * rstd;
                }
                float meanG = (float) (sumG / h);
                float meanGX = (float) (sumGX / h);
                for (int j = 0; j < h; j++) {
                    float xh = (x[base + j] - mean) * rstd;
                    dx[base + j] = rstd * (dy[base + j] * gamma[j] - meanG - xh * meanGX);
                }
            }
        });
    }

    /** dgamma = Σ_rows dy·x̂: moments by rows, then the sums by columns, each in row order. */
    static void layerNormGammaGrad(IntraOpPool pool, float[] x, float[] dy, float[] dgamma, int rows, int h, float eps) {
        float[] m = momentBuffer(rows);
        pool.parallelFor(rows, grain(h), (from, to) -> {
            for (int r = from; r < to; r++) {
                moments(x, r, h, eps, m);
            }
        });
        pool.parallelFor(h, Math.max(1, CpuElementwise.GRAIN / rows), (from, to) -> {
            int n = to - from;
            double[] acc = CpuElementwise.sums(n);
            for (int r = 0; r < rows; r++) {
                int base = r * h + from;
                float mean = m[2 * r];
                float rstd = m[2 * r + 1];
                for (int j = 0; j < n; j++) {
                    acc[j] += dy[base + j] * (x[base + j] - mean) * rstd;
                }
            }
            for (int j = 0; j < n; j++) {
                dgamma[from + j] = (float) acc[j];
            }
        });
    }
}
