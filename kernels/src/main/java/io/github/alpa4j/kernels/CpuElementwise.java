package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;

/**
 * The CPU twin's element-wise, strided and reduction loops. Each kind has its own loop, picked by a
 * switch expression once per call, so a new kind does not compile until it has one. Shapes are
 * first coalesced ({@link Strides}): a bias add or a contiguous copy becomes a few long rows whose
 * operands advance by one element, loops C2 compiles to SIMD code; rows are split over the device's
 * threads, each output element computed by one thread in one order whatever their number.
 */
final class CpuElementwise {
    /** Elements below which a loop is not worth splitting over threads. */
    static final int GRAIN = 16_384;
    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);

    private CpuElementwise() {
    }

    /** One row of a binary op: out[o + j] = a[ia + j·sa] ∘ b[ib + j·sb] for j &lt; n. */
    @FunctionalInterface
    private interface BinaryRow {
        void apply(float[] a, int ia, int sa, float[] b, int ib, int sb, float[] out, int o, int n);
    }

    /** y = f(x) over [from, to). */
    @FunctionalInterface
    private interface Map {
        void apply(float[] x, float[] y, int from, int to);
    }

    /** dx = f'(x)·dy over [from, to). */
    @FunctionalInterface
    private interface GradMap {
        void apply(float[] x, float[] dy, float[] dx, int from, int to);
    }

    // Unit strides get loops of their own (a stride known only at run time keeps a loop scalar), and
    // there out and a share one index: a bias add's rows of a and out start at the same offset.
    private static BinaryRow row(BinaryKind kind) {
        return switch (kind) {
            case ADD -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                if (sa == 1 && sb == 1 && ia == o) {
                    for (int i = o, db = ib - o; i < o + n; i++) {
                        out[i] = a[i] + b[i + db];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        out[o + j] = a[ia + j * sa] + b[ib + j * sb];
                    }
                }
            };
            case SUB -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                if (sa == 1 && sb == 1 && ia == o) {
                    for (int i = o, db = ib - o; i < o + n; i++) {
                        out[i] = a[i] - b[i + db];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        out[o + j] = a[ia + j * sa] - b[ib + j * sb];
                    }
                }
            };
            case MUL -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                if (sa == 1 && sb == 1 && ia == o) {
                    for (int i = o, db = ib - o; i < o + n; i++) {
                        out[i] = a[i] * b[i + db];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        out[o + j] = a[ia + j * sa] * b[ib + j * sb];
                    }
                }
            };
            case DIV -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                if (sa == 1 && sb == 1 && ia == o) {
                    for (int i = o, db = ib - o; i < o + n; i++) {
                        out[i] = a[i] / b[i + db];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        out[o + j] = a[ia + j * sa] / b[ib + j * sb];
                    }
                }
            };
        };
    }

    static void binary(IntraOpPool pool, BinaryKind kind, float[] a, long[] as, float[] b, long[] bs, float[] out, int[] dims) {
        BinaryRow row = row(kind);
        Strides s = Strides.coalesce(dims, as, bs);
        int inner = s.inner();
        if (s.rows() == 0) {
            return;
        }
        if (s.rows() == 1) {
            // one long row: split it
            pool.parallelFor(inner, GRAIN, (from, to) -> row.apply(a, from * s.innerStride(0), s.innerStride(0),
                    b, from * s.innerStride(1), s.innerStride(1), out, from, to - from));
            return;
        }
        pool.parallelFor(s.rows(), Math.max(1, GRAIN / inner), (from, to) -> {
            Strides.Cursor c = s.cursor(from);
            for (int r = from; r < to; r++, c.advance()) {
                row.apply(a, c.offset(0), s.innerStride(0), b, c.offset(1), s.innerStride(1), out, r * inner, inner);
            }
        });
    }

    /** Split by runs of rows along the innermost outer dimension (a head's rows of a permute), offsets added along a run. */
    static void strided(IntraOpPool pool, float[] x, long xOffset, long[] xs, float[] y, int[] dims) {
        Strides s = Strides.coalesce(dims, xs);
        int inner = Math.max(1, s.inner());
        int step = s.innerStride(0);
        int run = s.run();
        int runStride = s.runStride(0);
        int base = Math.toIntExact(xOffset);
        pool.parallelFor(s.rows() / run, Math.max(1, GRAIN / (inner * run)), (from, to) -> {
            Strides.Cursor c = s.cursor(from * run);
            for (int g = from; g < to; g++) {
                int ix = base + c.offset(0);
                int o = g * run * inner;
                for (int k = 0; k < run; k++, ix += runStride, o += inner) {
                    if (step == 1) {
                        System.arraycopy(x, ix, y, o, inner);
                    } else if (step == 0) {
                        java.util.Arrays.fill(y, o, o + inner, x[ix]);
                    } else {
                        for (int j = 0; j < inner; j++) {
                            y[o + j] = x[ix + j * step];
                        }
                    }
                }
                c.nextRun();
            }
        });
    }

    static void activation(IntraOpPool pool, Activation act, float[] x, float[] y, int n) {
        Map f = switch (act) {
            case RELU -> CpuElementwise::relu;
            case GELU -> CpuElementwise::gelu;
            case RSQRT -> CpuElementwise::rsqrt;
        };
        pool.parallelFor(n, GRAIN, (from, to) -> f.apply(x, y, from, to));
    }

    static void activationGrad(IntraOpPool pool, Activation act, float[] x, float[] dy, float[] dx, int n) {
        GradMap f = switch (act) {
            case RELU -> CpuElementwise::reluGrad;
            case GELU -> CpuElementwise::geluGrad;
            case RSQRT -> CpuElementwise::rsqrtGrad;
        };
        pool.parallelFor(n, GRAIN, (from, to) -> f.apply(x, dy, dx, from, to));
    }

    static void scale(IntraOpPool pool, float[] x, float alpha, float[] y, int n) {
        pool.parallelFor(n, GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                y[i] = alpha * x[i];
            }
        });
    }

    /** h = a + bias over rows of n, then y = gelu(h), a block of a row at a time. */
    static void biasGelu(IntraOpPool pool, float[] a, float[] bias, float[] h, float[] y, int rows, int n) {
        pool.parallelFor(rows, Math.max(1, GRAIN / n), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * n;
                for (int i = base, j = 0; i < base + n; i++, j++) {
                    h[i] = a[i] + bias[j];
                }
                gelu(h, y, base, base + n);
            }
        });
    }

    private static void relu(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0 ? x[i] : 0f;
        }
    }

    private static void reluGrad(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0 ? dy[i] : 0f;
        }
    }

    /** 1/√x as the GPU computes it: a correctly rounded sqrtf, then a correctly rounded division. */
    private static void rsqrt(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = 1f / (float) Math.sqrt(x[i]);
        }
    }

    /** d(1/√x)/dx = −½·(1/√x)³. */
    private static void rsqrtGrad(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            float r = 1f / (float) Math.sqrt(x[i]);
            dx[i] = -0.5f * r * r * r * dy[i];
        }
    }

    /** The tanh form of GPT-2. */
    private static void gelu(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1f + CpuMath.tanh(GELU_C * (v + 0.044715f * v * v * v)));
        }
    }

    /** In two passes over blocks of dx (tanh, then the rest): one loop would be too long for C2 to vectorise; dx must not alias x or dy. */
    private static void geluGrad(float[] x, float[] dy, float[] dx, int from, int to) {
        for (int b = from; b < to; b += CpuMath.BLOCK) {
            int end = Math.min(to, b + CpuMath.BLOCK);
            for (int i = b; i < end; i++) {
                float v = x[i];
                dx[i] = CpuMath.tanh(GELU_C * (v + 0.044715f * v * v * v));
            }
            for (int i = b; i < end; i++) {
                float v = x[i];
                float t = dx[i];
                float d = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * GELU_C * (1f + 3f * 0.044715f * v * v);
                dx[i] = d * dy[i];
            }
        }
    }

    /**
     * y = scale·Σ x over the reduced dimensions, in float64. Split over threads by output element
     * (columns when the innermost kept dimension is contiguous, rows when the innermost is summed),
     * so every sum runs in the same order whatever the number of threads.
     */
    private static final ThreadLocal<double[][]> SUMS = ThreadLocal.withInitial(() -> new double[][] {new double[1024]});

    /** This thread's float64 accumulators, n of them, zeroed; kept from call to call. */
    static double[] sums(int n) {
        double[][] held = SUMS.get();
        if (held[0].length < n) {
            held[0] = new double[Math.max(n, 2 * held[0].length)];
        }
        java.util.Arrays.fill(held[0], 0, n, 0);
        return held[0];
    }

    static void reduceSum(IntraOpPool pool, float[] x, int[] dims, boolean[] reduced, float scale, float[] y) {
        int r = dims.length;
        if (r == 0) {
            y[0] = scale * x[0];
            return;
        }
        // output strides: 0 along reduced dims, row-major over the kept ones
        long[] os = new long[r];
        long acc = 1;
        for (int d = r - 1; d >= 0; d--) {
            os[d] = reduced[d] ? 0 : acc;
            acc *= reduced[d] ? 1 : dims[d];
        }
        int outSize = (int) acc;
        Strides s = Strides.coalesce(dims, os);
        int inner = Math.max(1, s.inner());
        int rows = s.rows();
        if (s.innerStride(0) == 0 && s.rowsDistinct(0)) {
            // each output element sums one contiguous run of x (a row sum)
            pool.parallelFor(rows, Math.max(1, GRAIN / inner), (from, to) -> {
                Strides.Cursor c = s.cursor(from);
                for (int row = from; row < to; row++, c.advance()) {
                    double sum = 0;
                    for (int j = row * inner, end = j + inner; j < end; j++) {
                        sum += x[j];
                    }
                    y[c.offset(0)] = (float) (sum * scale);
                }
            });
        } else if (s.innerStride(0) == 1 && outSize == inner) {
            // every row adds into all of y (a column sum): split y's columns
            pool.parallelFor(inner, Math.max(1, GRAIN / rows), (from, to) -> {
                int n = to - from;
                double[] sum = sums(n);
                for (int row = 0; row < rows; row++) {
                    int base = row * inner + from;
                    for (int j = 0; j < n; j++) {
                        sum[j] += x[base + j];
                    }
                }
                for (int j = 0; j < n; j++) {
                    y[from + j] = (float) (sum[j] * scale);
                }
            });
        } else {
            double[] sum = sums(outSize);
            int si = s.innerStride(0);
            Strides.Cursor c = s.cursor(0);
            for (int row = 0, i = 0; row < rows; row++, c.advance()) {
                int base = c.offset(0);
                for (int j = 0; j < inner; j++) {
                    sum[base + j * si] += x[i++];
                }
            }
            for (int k = 0; k < outSize; k++) {
                y[k] = (float) (sum[k] * scale);
            }
        }
    }
}
