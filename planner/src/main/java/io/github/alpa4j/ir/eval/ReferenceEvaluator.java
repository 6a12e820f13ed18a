package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import java.util.Map;

/**
 * Evaluates a graph in float64 with the plainest loops that follow each op's definition. It is
 * the independent reference the float32 kernels, the backends and the autodiff are checked
 * against; it is slow on purpose and shares no code with them. Integer tensors are held as
 * exact doubles. A node of a low-precision type (bf16, f16) holds its value rounded to that type, as
 * the engine's do; {@link Arithmetic#EXACT} leaves every value exact instead, where a cast is the
 * identity (what a gradient's calculus is checked in).
 */
public final class ReferenceEvaluator {
    private ReferenceEvaluator() {
    }

    /** Whether computed values are rounded to their nodes' types. */
    public enum Arithmetic {
        /** Results of bf16 and f16 nodes rounded to nearest even, as the engine holds them. */
        TYPED,
        /** Every value exact (float64); casts are the identity. */
        EXACT
    }

    /**
     * Values of every node of {@code g}, {@link Arithmetic#TYPED}. {@code sources} gives each parameter,
     * state and input by node name; constants are filled from the op.
     */
    public static double[][] evaluate(Graph g, Map<String, double[]> sources) {
        return evaluate(g, sources, Arithmetic.TYPED);
    }

    /** Values of every node of {@code g} in the given arithmetic. */
    public static double[][] evaluate(Graph g, Map<String, double[]> sources, Arithmetic arithmetic) {
        double[][] v = new double[g.size()][];
        for (Node n : g.nodes()) {
            v[n.id()] = eval(g, n, v, sources);
            DType t = n.type().dtype();
            if (arithmetic == Arithmetic.TYPED && !n.isSource() && (t == DType.BF16 || t == DType.F16)) {
                double[] x = v[n.id()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = Rounding.round(t, x[i]);
                }
            }
            if (v[n.id()].length != n.type().size()) {
                throw new IllegalStateException("reference produced " + v[n.id()].length + " values for " + n);
            }
        }
        return v;
    }

    private static double[] eval(Graph g, Node n, double[][] v, Map<String, double[]> sources) {
        Shape out = n.type().shape();
        double[] a = n.inputs().isEmpty() ? null : v[n.input(0)];
        Shape sa = n.inputs().isEmpty() ? null : g.node(n.input(0)).type().shape();
        return switch (n.op()) {
            case SourceOp.Constant c -> filled((int) out.size(), c.value());
            case SourceOp s -> {
                double[] x = sources.get(n.name());
                if (x == null) {
                    throw new IllegalArgumentException("no value given for " + n.name());
                }
                yield x.clone();
            }
            case MatmulOp.MatMul m -> matmul(m, a, sa, v[n.input(1)], g.node(n.input(1)).type().shape(), out);
            case ElementwiseOp.Binary b -> binary(b.kind(), a, sa, v[n.input(1)], g.node(n.input(1)).type().shape(), out);
            case ElementwiseOp.Unary u -> map(a, x -> activation(u.activation(), x));
            case ElementwiseOp.ActivationGrad u -> {
                double[] dy = v[n.input(1)];
                double[] r = new double[a.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = derivative(u.activation(), a[i]) * dy[i];
                }
                yield r;
            }
            case ElementwiseOp.Scale s -> map(a, x -> s.alpha() * x);
            case ElementwiseOp.Cast c -> a.clone(); // the rounding, where there is one, is the type's (above)
            case LayoutOp.Reshape r -> a.clone();
            case LayoutOp.Permute p -> permute(a, sa, p.permArray(), out);
            case LayoutOp.BroadcastTo b -> broadcast(a, sa, out);
            case ReductionOp r -> reduce(r, a, sa, out);
            case NormalizationOp.Softmax s -> softmax(a, sa, s.causal());
            case NormalizationOp.SoftmaxGrad s -> softmaxGrad(a, v[n.input(1)], sa.dim(-1));
            case NormalizationOp.LayerNorm ln -> layerNorm(a, v[n.input(1)], v[n.input(2)], sa.dim(-1), ln.eps());
            case NormalizationOp.LayerNormGrad ln -> layerNormGrad(a, v[n.input(1)], v[n.input(2)], sa.dim(-1), ln.eps());
            case NormalizationOp.LayerNormGammaGrad ln -> layerNormGammaGrad(a, v[n.input(1)], sa.dim(-1), ln.eps());
            case EmbeddingOp.Embedding e -> ReferenceLookups.embedding(a, v[n.input(1)], out.dim(-1));
            case EmbeddingOp.EmbeddingGrad e -> ReferenceLookups.embeddingGrad(a, v[n.input(1)], e.vocab(), out.dim(-1));
            case LossOp.CrossEntropy c -> new double[] {ReferenceLookups.crossEntropy(a, v[n.input(1)], sa.dim(-1))};
            case LossOp.CrossEntropyGrad c -> ReferenceLookups.crossEntropyGrad(a, v[n.input(1)], v[n.input(2)][0], sa.dim(-1));
            case LossOp.MseLoss m -> {
                double[] t = v[n.input(1)];
                double s = 0;
                for (int i = 0; i < a.length; i++) {
                    s += (a[i] - t[i]) * (a[i] - t[i]);
                }
                yield new double[] {s / a.length};
            }
            case OptimizerOp o -> ReferenceOptimizers.update(o, n, v);
            case PatchOp.Im2Col p -> ReferencePatches.im2col(p, a, sa, out);
            case PatchOp.Col2Im p -> ReferencePatches.col2im(p, a, sa, out);
            case RoutingOp r -> ReferenceRouting.eval(r, a, sa, n.inputs().size() > 1 ? v[n.input(1)] : null);
        };
    }

    static double activation(ElementwiseOp.Activation act, double x) {
        return switch (act) {
            case RELU -> Math.max(0, x);
            case GELU -> 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
            case RSQRT -> 1 / Math.sqrt(x);
        };
    }

    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    static double derivative(ElementwiseOp.Activation act, double x) {
        return switch (act) {
            case RELU -> x > 0 ? 1 : 0;
            case GELU -> {
                double u = GELU_C * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
            }
            case RSQRT -> -0.5 / (x * Math.sqrt(x));
        };
    }

    private static double[] filled(int n, double value) {
        double[] r = new double[n];
        java.util.Arrays.fill(r, value);
        return r;
    }

    private static double[] map(double[] a, java.util.function.DoubleUnaryOperator f) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(a[i]);
        }
        return r;
    }

    /** Multi-index of flat position {@code i} in {@code s}. */
    private static int[] index(long i, Shape s) {
        int[] idx = new int[s.rank()];
        for (int d = s.rank() - 1; d >= 0; d--) {
            idx[d] = (int) (i % s.dim(d));
            i /= s.dim(d);
        }
        return idx;
    }

    /** Flat position in {@code s} of the broadcast-aligned multi-index {@code idx} of a larger shape. */
    private static long flatBroadcast(int[] idx, Shape s) {
        long f = 0;
        int off = idx.length - s.rank();
        for (int d = 0; d < s.rank(); d++) {
            int k = s.dim(d) == 1 ? 0 : idx[d + off];
            f = f * s.dim(d) + k;
        }
        return f;
    }

    private static double[] binary(ElementwiseOp.BinaryKind k, double[] a, Shape sa, double[] b, Shape sb, Shape out) {
        double[] r = new double[(int) out.size()];
        for (int i = 0; i < r.length; i++) {
            int[] idx = index(i, out);
            double x = a[(int) flatBroadcast(idx, sa)];
            double y = b[(int) flatBroadcast(idx, sb)];
            r[i] = switch (k) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
        return r;
    }

    private static double[] broadcast(double[] a, Shape sa, Shape out) {
        double[] r = new double[(int) out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a[(int) flatBroadcast(index(i, out), sa)];
        }
        return r;
    }

    private static double[] matmul(MatmulOp.MatMul m, double[] a, Shape sa, double[] b, Shape sb, Shape out) {
        int mm = out.dim(-2);
        int nn = out.dim(-1);
        int kk = m.transA() ? sa.dim(-2) : sa.dim(-1);
        long batch = out.size(0, out.rank() - 2);
        boolean shared = sb.rank() == 2 && sa.rank() > 2;
        double[] r = new double[(int) out.size()];
        for (long bt = 0; bt < batch; bt++) {
            long ao = bt * sa.dim(-1) * sa.dim(-2);
            long bo = shared ? 0 : bt * sb.dim(-1) * sb.dim(-2);
            for (int i = 0; i < mm; i++) {
                for (int j = 0; j < nn; j++) {
                    double s = 0;
                    for (int p = 0; p < kk; p++) {
                        double x = m.transA() ? a[(int) (ao + (long) p * mm + i)] : a[(int) (ao + (long) i * kk + p)];
                        double y = m.transB() ? b[(int) (bo + (long) j * kk + p)] : b[(int) (bo + (long) p * nn + j)];
                        s += x * y;
                    }
                    r[(int) (bt * mm * nn + (long) i * nn + j)] = s;
                }
            }
        }
        return r;
    }

    private static double[] permute(double[] a, Shape sa, int[] perm, Shape out) {
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
            int[] oi = index(i, out);
            int[] ii = new int[oi.length];
            for (int d = 0; d < oi.length; d++) {
                ii[perm[d]] = oi[d];
            }
            long f = 0;
            for (int d = 0; d < ii.length; d++) {
                f = f * sa.dim(d) + ii[d];
            }
            r[i] = a[(int) f];
        }
        return r;
    }

    private static double[] reduce(ReductionOp op, double[] a, Shape sa, Shape out) {
        double[] r = new double[(int) out.size()];
        long count = 1;
        for (int ax : op.axes()) {
            count *= sa.dim(ax);
        }
        for (int i = 0; i < a.length; i++) {
            int[] idx = index(i, sa);
            long f = 0;
            for (int d = 0; d < idx.length; d++) {
                if (!op.reduces(d)) {
                    f = f * sa.dim(d) + idx[d];
                }
            }
            r[(int) f] += a[i];
        }
        long n = count;
        return switch (op) {
            case ReductionOp.ReduceSum s -> r;
            case ReductionOp.ReduceMean m -> map(r, x -> x / n);
        };
    }

    static double[] softmax(double[] a, Shape s, boolean causal) {
        int n = s.dim(-1);
        double[] r = new double[a.length];
        for (int row = 0; row < a.length / n; row++) {
            int q = causal ? row % s.dim(-2) : n - 1; // the query position; keys > q are masked
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= q; j++) {
                max = Math.max(max, a[row * n + j]);
            }
            double sum = 0;
            for (int j = 0; j <= q; j++) {
                sum += Math.exp(a[row * n + j] - max);
            }
            for (int j = 0; j < n; j++) {
                r[row * n + j] = j <= q ? Math.exp(a[row * n + j] - max) / sum : 0;
            }
        }
        return r;
    }

    private static double[] softmaxGrad(double[] y, double[] dy, int n) {
        double[] r = new double[y.length];
        for (int row = 0; row < y.length / n; row++) {
            double dot = 0;
            for (int j = 0; j < n; j++) {
                dot += y[row * n + j] * dy[row * n + j];
            }
            for (int j = 0; j < n; j++) {
                r[row * n + j] = y[row * n + j] * (dy[row * n + j] - dot);
            }
        }
        return r;
    }

    /** Mean and 1/sqrt(var + eps) of one row of length h. */
    private static double[] moments(double[] x, int row, int h, double eps) {
        double mean = 0;
        for (int j = 0; j < h; j++) {
            mean += x[row * h + j];
        }
        mean /= h;
        double var = 0;
        for (int j = 0; j < h; j++) {
            double d = x[row * h + j] - mean;
            var += d * d;
        }
        var /= h;
        return new double[] {mean, 1 / Math.sqrt(var + eps)};
    }

    private static double[] layerNorm(double[] x, double[] gamma, double[] beta, int h, double eps) {
        double[] r = new double[x.length];
        for (int row = 0; row < x.length / h; row++) {
            double[] m = moments(x, row, h, eps);
            for (int j = 0; j < h; j++) {
                r[row * h + j] = (x[row * h + j] - m[0]) * m[1] * gamma[j] + beta[j];
            }
        }
        return r;
    }

    private static double[] layerNormGrad(double[] x, double[] gamma, double[] dy, int h, double eps) {
        double[] r = new double[x.length];
        for (int row = 0; row < x.length / h; row++) {
            double[] m = moments(x, row, h, eps);
            double sumG = 0;
            double sumGX = 0;
            for (int j = 0; j < h; j++) {
                double g = dy[row * h + j] * gamma[j];
                double xh = (x[row * h + j] - m[0]) * m[1];
                sumG += g;
                sumGX += g * xh;
            }
            for (int j = 0; j < h; j++) {
                double g = dy[row * h + j] * gamma[j];
                double xh = (x[row * h + j] - m[0]) * m[1];
                r[row * h + j] = m[1] * (g - sumG / h - xh * sumGX / h);
            }
        }
        return r;
    }

    private static double[] layerNormGammaGrad(double[] x, double[] dy, int h, double eps) {
        double[] r = new double[h];
        for (int row = 0; row < x.length / h; row++) {
            double[] m = moments(x, row, h, eps);
            for (int j = 0; j < h; j++) {
                r[j] += dy[row * h + j] * (x[row * h + j] - m[0]) * m[1];
            }
        }
        return r;
    }
}
