package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.ir.Broadcast;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import java.util.List;

/**
 * Runs one IR op on one device's buffers by calling the backend's kernels. Types are the local
 * (per-shard) ones; {@link Local} carries what a shard needs beyond its shapes. The same
 * dispatch serves every backend: only the kernel set and its buffer types differ. Kernels compute
 * in float32; an op whose output type is bf16 or f16 has its result rounded to that type here.
 */
public final class KernelDispatch<F, I> {

    /**
     * What a shard needs besides its local shapes: the global count a loss or a mean averages over,
     * and the first vocabulary row an embedding shard holds.
     */
    public record Local(long lossCount, int vocabStart) {
        /** A whole (unsharded) op: loss over its own rows, full vocabulary. */
        public static Local whole() {
            return new Local(0, 0);
        }
    }

    private final Kernels<F, I> k;

    public KernelDispatch(Kernels<F, I> kernels) {
        this.k = kernels;
    }

    public Kernels<F, I> kernels() {
        return k;
    }

    /**
     * Computes {@code op} on {@code in} (float or int buffers as the input types say) into
     * {@code out}. Reshape is a copy here; runtimes that can alias storage skip the call.
     */
    @SuppressWarnings("unchecked")
    public void run(Op op, List<TensorType> inTypes, TensorType outType, List<Object> in, Object out, Local local) {
        F y = (F) out;
        long n = outType.size();
        switch (op) {
            case SourceOp.Constant c -> k.fill(y, n, (float) c.value());
            case SourceOp s -> throw new IllegalArgumentException("sources are not computed: " + op.opName());
            case MatmulOp.MatMul m -> matmul(m, inTypes, f(in, 0), f(in, 1), y);
            case ElementwiseOp.Binary b -> k.binary(b.kind(), f(in, 0), Broadcast.strides(inTypes.get(0).shape(), outType.shape()),
                    f(in, 1), Broadcast.strides(inTypes.get(1).shape(), outType.shape()), y, outType.shape().dims());
            case ElementwiseOp.Unary u -> k.activation(u.activation(), f(in, 0), y, n);
            case ElementwiseOp.ActivationGrad g -> k.activationGrad(g.activation(), f(in, 0), f(in, 1), y, n);
            case ElementwiseOp.Scale s -> k.scale(f(in, 0), (float) s.alpha(), y, n);
            case LayoutOp.Reshape r -> k.copy(f(in, 0), 0, y, 0, n);
            case LayoutOp.Permute p -> k.strided(f(in, 0), 0, permutedStrides(inTypes.get(0).shape(), p.permArray()), y, outType.shape().dims());
            case LayoutOp.BroadcastTo b -> k.strided(f(in, 0), 0, Broadcast.strides(inTypes.get(0).shape(), outType.shape()), y, outType.shape().dims());
            case ReductionOp r -> reduce(r, inTypes.get(0), f(in, 0), y, local);
            case NormalizationOp.Softmax s -> {
                Shape sh = outType.shape();
                k.softmax(f(in, 0), y, n / sh.dim(-1), sh.dim(-1), s.causal() ? sh.dim(-2) : 0);
            }
            case NormalizationOp.SoftmaxGrad s -> k.softmaxGrad(f(in, 0), f(in, 1), y, n / outType.dim(-1), outType.dim(-1));
            case NormalizationOp.LayerNorm ln -> k.layerNorm(f(in, 0), f(in, 1), f(in, 2), y, n / outType.dim(-1), outType.dim(-1), (float) ln.eps());
            case NormalizationOp.LayerNormGrad ln -> k.layerNormGrad(f(in, 0), f(in, 1), f(in, 2), y, n / outType.dim(-1), outType.dim(-1), (float) ln.eps());
            case NormalizationOp.LayerNormGammaGrad ln -> {
                TensorType x = inTypes.get(0);
                k.layerNormGammaGrad(f(in, 0), f(in, 1), y, x.size() / x.dim(-1), x.dim(-1), (float) ln.eps());
            }
            case EmbeddingOp.Embedding e -> {
                TensorType table = inTypes.get(1);
                k.embedding(i(in, 0), f(in, 1), y, inTypes.get(0).size(), table.dim(1), local.vocabStart(), table.dim(0));
            }
            case EmbeddingOp.EmbeddingGrad e -> k.embeddingGrad(i(in, 0), f(in, 1), y, inTypes.get(0).size(), outType.dim(1),
                    local.vocabStart(), outType.dim(0));
            case LossOp.CrossEntropy c -> {
                long rows = inTypes.get(1).size();
                k.crossEntropy(f(in, 0), i(in, 1), y, rows, inTypes.get(0).dim(-1), inv(local, rows));
            }
            case LossOp.CrossEntropyGrad c -> {
                long rows = inTypes.get(1).size();
                k.crossEntropyGrad(f(in, 0), i(in, 1), f(in, 2), y, rows, inTypes.get(0).dim(-1), inv(local, rows));
            }
            case LossOp.MseLoss m -> {
                long count = inTypes.get(0).size();
                k.mse(f(in, 0), f(in, 1), y, count, inv(local, count));
            }
            case OptimizerOp.MomentumUpdate m -> k.momentumUpdate(f(in, 0), f(in, 1), f(in, 2), y, n, (float) m.momentum(), (float) m.weightDecay());
            case OptimizerOp.SgdApply s -> k.sgdApply(f(in, 0), f(in, 1), y, n, (float) s.lr());
            case OptimizerOp.AdamMoment m -> k.adamMoment(f(in, 0), f(in, 1), y, n, (float) m.beta(), m.squared());
            case OptimizerOp.AdamApply a -> k.adamApply(f(in, 0), f(in, 1), f(in, 2), f(in, 3), y, n, (float) a.lr(),
                    (float) a.beta1(), (float) a.beta2(), (float) a.eps(), (float) a.weightDecay());
            case OptimizerOp.StepIncrement s -> k.stepIncrement(f(in, 0), y);
            case ElementwiseOp.Cast c -> k.round(c.to(), f(in, 0), y, n);
            case PatchOp.Im2Col p -> {
                int[] x = inTypes.get(0).shape().dims();
                k.im2col(f(in, 0), x[0], x[1], x[2], x[3], p.kh(), p.kw(), p.stride(), p.pad(), y);
            }
            case PatchOp.Col2Im p -> {
                int[] x = outType.shape().dims();
                k.col2im(f(in, 0), x[0], x[1], x[2], x[3], p.kh(), p.kw(), p.stride(), p.pad(), y);
            }
            case RoutingOp r -> {
                Shape g = inTypes.get(0).shape();
                k.top2Routing(r.output(), f(in, 0), r.arity() > 1 ? f(in, 1) : null, y, g.size() / ((long) g.dim(-2) * g.dim(-1)),
                        g.dim(-2), g.dim(-1), r.capacity());
            }
        }
        if (isNarrow(outType) && !(op instanceof ElementwiseOp.Cast)) {
            // kernels compute in f32; a bf16 or f16 result holds only that type's values, as on a GPU that stores it so
            k.round(outType.dtype(), y, y, n);
        }
    }

    /** Whether tensors of {@code t} hold bf16 or f16 values (rounded after every op that writes them). */
    static boolean isNarrow(TensorType t) {
        return t.dtype() == DType.BF16 || t.dtype() == DType.F16;
    }

    private static float inv(Local local, long localCount) {
        return (float) (1.0 / (local.lossCount() > 0 ? local.lossCount() : localCount));
    }

    @SuppressWarnings("unchecked")
    private F f(List<Object> in, int i) {
        return (F) in.get(i);
    }

    @SuppressWarnings("unchecked")
    private I i(List<Object> in, int i) {
        return (I) in.get(i);
    }

    private void matmul(MatmulOp.MatMul op, List<TensorType> in, F a, F b, F c) {
        int m = op.m(in);
        int n = op.n(in);
        int kk = op.k(in);
        int batch = Math.toIntExact(op.batch(in));
        if (op.broadcastsB(in)) {
            // A's rows over all leading dimensions form one tall matrix times the shared B
            k.gemm(false, op.transB(), batch * m, n, kk, 1f, a, 0, b, 0, 0f, c, 0, 1);
        } else {
            k.gemm(op.transA(), op.transB(), m, n, kk, 1f, a, (long) m * kk, b, (long) kk * n, 0f, c, (long) m * n, batch);
        }
    }

    /** A mean over a split axis divides by the global count (the lowering's), so that its partial sums add up to the mean. */
    private void reduce(ReductionOp r, TensorType x, F in, F out, Local local) {
        int[] dims = x.shape().dims();
        boolean[] reduced = new boolean[dims.length];
        long count = 1;
        for (int a : r.axes()) {
            reduced[a] = true;
            count *= dims[a];
        }
        float scale = switch (r) {
            case ReductionOp.ReduceSum s -> 1f;
            case ReductionOp.ReduceMean m -> (float) (1.0 / (local.lossCount() > 0 ? local.lossCount() : count));
        };
        k.reduceSum(in, dims, reduced, scale, out);
    }

    /** Strides that read the input in the output's (permuted) order. */
    static long[] permutedStrides(Shape in, int[] perm) {
        long[] own = in.strides();
        long[] s = new long[perm.length];
        for (int d = 0; d < perm.length; d++) {
            s[d] = own[perm[d]];
        }
        return s;
    }
}
