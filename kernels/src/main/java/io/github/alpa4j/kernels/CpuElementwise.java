package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;

/**
 * The CPU twin's element-wise, strided and reduction loops. Each kind has its own loop, picked by a
 * switch expression once per call (or per row), so a new kind does not compile until it has one.
 */
final class CpuElementwise {
    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);

    private CpuElementwise() {
    }

    /** One row of a binary op: out[o + j] = a[ia + j·sa] ∘ b[ib + j·sb] for j &lt; n. */
    @FunctionalInterface
    private interface BinaryRow {
        void apply(float[] a, long ia, long sa, float[] b, long ib, long sb, float[] out, int o, int n);
    }

    /** y = f(x) over n elements. */
    @FunctionalInterface
    private interface Map {
        void apply(float[] x, float[] y, int n);
    }

    /** dx = f'(x)·dy over n elements. */
    @FunctionalInterface
    private interface GradMap {
        void apply(float[] x, float[] dy, float[] dx, int n);
    }

    private static BinaryRow row(BinaryKind kind) {
        return switch (kind) {
            case ADD -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = a[(int) (ia + j * sa)] + b[(int) (ib + j * sb)];
                }
            };
            case SUB -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = a[(int) (ia + j * sa)] - b[(int) (ib + j * sb)];
                }
            };
            case MUL -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = a[(int) (ia + j * sa)] * b[(int) (ib + j * sb)];
                }
            };
            case DIV -> (a, ia, sa, b, ib, sb, out, o, n) -> {
                for (int j = 0; j < n; j++) {
                    out[o + j] = a[(int) (ia + j * sa)] / b[(int) (ib + j * sb)];
                }
            };
        };
    }

    static void binary(BinaryKind kind, float[] a, long[] as, float[] b, long[] bs, float[] out, int[] dims) {
        BinaryRow row = row(kind);
        int r = dims.length;
        if (r == 0) {
            row.apply(a, 0, 0, b, 0, 0, out, 0, 1);
            return;
        }
        int inner = dims[r - 1];
        int[] idx = new int[r];
        long outer = size(dims) / inner;
        for (long i = 0; i < outer; i++) {
            row.apply(a, offset(idx, as), as[r - 1], b, offset(idx, bs), bs[r - 1], out, (int) (i * inner), inner);
            next(idx, dims);
        }
    }

    static void strided(float[] x, long xOffset, long[] xs, float[] y, int[] dims) {
        int r = dims.length;
        if (r == 0) {
            y[0] = x[(int) xOffset];
            return;
        }
        int inner = dims[r - 1];
        long s = xs[r - 1];
        int[] idx = new int[r];
        long outer = size(dims) / inner;
        int o = 0;
        for (long row = 0; row < outer; row++) {
            long ix = xOffset + offset(idx, xs);
            if (s == 1) {
                System.arraycopy(x, (int) ix, y, o, inner);
                o += inner;
            } else {
                for (int j = 0; j < inner; j++) {
                    y[o++] = x[(int) (ix + j * s)];
                }
            }
            next(idx, dims);
        }
    }

    static void activation(Activation act, float[] x, float[] y, int n) {
        Map f = switch (act) {
            case RELU -> CpuElementwise::relu;
            case GELU -> CpuElementwise::gelu;
        };
        f.apply(x, y, n);
    }

    static void activationGrad(Activation act, float[] x, float[] dy, float[] dx, int n) {
        GradMap f = switch (act) {
            case RELU -> CpuElementwise::reluGrad;
            case GELU -> CpuElementwise::geluGrad;
        };
        f.apply(x, dy, dx, n);
    }

    private static void relu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = x[i] > 0 ? x[i] : 0f;
        }
    }

    private static void reluGrad(float[] x, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = x[i] > 0 ? dy[i] : 0f;
        }
    }

    /** The tanh form of GPT-2. */
    private static void gelu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1f + (float) Math.tanh(GELU_C * (v + 0.044715f * v * v * v)));
        }
    }

    private static void geluGrad(float[] x, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float t = (float) Math.tanh(GELU_C * (v + 0.044715f * v * v * v));
            float d = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * GELU_C * (1f + 3f * 0.044715f * v * v);
            dx[i] = d * dy[i];
        }
    }

    static void reduceSum(float[] x, int[] dims, boolean[] reduced, float scale, float[] y) {
        int r = dims.length;
        // output strides: 0 along reduced dims, row-major over the kept ones
        long[] os = new long[r];
        long acc = 1;
        for (int d = r - 1; d >= 0; d--) {
            os[d] = reduced[d] ? 0 : acc;
            acc *= reduced[d] ? 1 : dims[d];
        }
        double[] sum = new double[(int) acc];
        if (r == 0) {
            y[0] = scale * x[0];
            return;
        }
        int inner = dims[r - 1];
        long si = os[r - 1];
        int[] idx = new int[r];
        long outer = size(dims) / inner;
        int i = 0;
        for (long row = 0; row < outer; row++) {
            long base = offset(idx, os);
            for (int j = 0; j < inner; j++) {
                sum[(int) (base + j * si)] += x[i++];
            }
            next(idx, dims);
        }
        for (int k = 0; k < sum.length; k++) {
            y[k] = (float) (sum[k] * scale);
        }
    }

    /** Element offset of the multi-index {@code idx} (last dimension excluded) under {@code strides}. */
    private static long offset(int[] idx, long[] strides) {
        long off = 0;
        for (int d = 0; d < idx.length - 1; d++) {
            off += idx[d] * strides[d];
        }
        return off;
    }

    /** Advances the multi-index over all dimensions but the last. */
    private static void next(int[] idx, int[] dims) {
        for (int d = dims.length - 2; d >= 0; d--) {
            if (++idx[d] < dims[d]) {
                return;
            }
            idx[d] = 0;
        }
    }

    private static long size(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }
}
