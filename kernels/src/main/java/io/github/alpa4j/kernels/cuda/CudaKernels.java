package io.github.alpa4j.kernels.cuda;

import static io.github.alpa4j.kernels.cuda.Launch.holds;

import io.github.alpa4j.cuda.Cublas;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.GemmPrecision;
import io.github.alpa4j.cuda.KernelArgs;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.kernels.Bf16Casts;
import io.github.alpa4j.kernels.Kernels;

/**
 * Every kernel on one GPU: float32 buffers and int32 buffers are both {@link DeviceBuffer}s, bf16
 * buffers too (16-bit elements). Kernels are queued on the stream and return at once; matrix
 * products go to cuBLAS on the same stream. Scratch space (loss partial sums, layer-norm
 * statistics) comes from the pool and goes back as soon as it is queued, which is safe because
 * the pool serves this stream only. Sizes are checked against the buffers before any launch.
 */
public final class CudaKernels implements Kernels<DeviceBuffer, DeviceBuffer>, Bf16Casts<DeviceBuffer, DeviceBuffer> {
    private static final int F32 = 4;

    private final KernelQueue queue;
    private final Launcher launcher;
    private final DevicePool pool;
    private final GemmRunner gemm;
    private final int sms;
    private final CudaLossKernels losses;
    private final CudaRoutingAndWindowKernels windows;
    private final CudaOptimizerKernels optimizer;

    /**
     * Kernels on {@code stream}'s GPU.
     *
     * @param pool    the pool that serves {@code stream} (scratch space comes from it)
     * @param matmul  {@link GemmPrecision#FP32} (exact, the CPU twin's match) or {@link GemmPrecision#TF32}
     *                (faster on tensor cores, about 1e-3 relative error)
     */
    public CudaKernels(CudaStream stream, DevicePool pool, Cublas cublas, CudaKernelModules modules, GemmPrecision matmul) {
        this(new StreamQueue(stream, modules), pool, gemmOf(cublas, matmul), stream.device().info().multiprocessors());
        if (modules.device().ordinal() != stream.device().ordinal()) {
            throw new IllegalArgumentException("kernel modules of GPU " + modules.device().ordinal() + " with a stream of GPU "
                    + stream.device().ordinal());
        }
    }

    CudaKernels(KernelQueue queue, DevicePool pool, GemmRunner gemm, int sms) {
        this.queue = queue;
        this.launcher = new Launcher(queue, sms);
        this.pool = pool;
        this.gemm = gemm;
        this.sms = sms;
        this.losses = new CudaLossKernels(launcher, pool);
        this.windows = new CudaRoutingAndWindowKernels(launcher, pool);
        this.optimizer = new CudaOptimizerKernels(launcher);
    }

    private static GemmRunner gemmOf(Cublas cublas, GemmPrecision matmul) {
        if (matmul == GemmPrecision.BF16_INPUTS) {
            throw new IllegalArgumentException("Kernels.gemm takes float32 buffers; use Cublas directly for bf16 operands");
        }
        return (ta, tb, m, n, k, alpha, a, sa, b, sb, beta, c, sc, batch) ->
                cublas.gemm(matmul, ta, tb, m, n, k, alpha, a, sa, b, sb, beta, c, sc, batch);
    }

    @Override
    public void fill(DeviceBuffer out, long n, float value) {
        holds(out, n, F32, "fill output");
        launcher.elementwise(KernelFamily.ELEMENTWISE, "fill_f32", n, KernelArgs.create().ptr(out).i64(n).f32(value));
    }

    @Override
    public void copy(DeviceBuffer x, long xOff, DeviceBuffer out, long outOff, long n) {
        if (n == 0) {
            return;
        }
        if (x == out && xOff < outOff + n && outOff < xOff + n) {
            throw new IllegalArgumentException("copy between overlapping ranges of " + x);
        }
        queue.copy(x, F32 * xOff, out, F32 * outOff, F32 * n);
    }

    @Override
    public void binary(BinaryKind kind, DeviceBuffer a, long[] aStrides, DeviceBuffer b, long[] bStrides, DeviceBuffer out, int[] outDims) {
        StridedLayout l = StridedLayout.of(outDims, aStrides, bStrides);
        long n = l.size();
        holds(a, l.extentA(), F32, "binary operand a");
        holds(b, l.extentB(), F32, "binary operand b");
        holds(out, n, F32, "binary output");
        String kernel = switch (kind) {
            case ADD -> "add_f32";
            case SUB -> "sub_f32";
            case MUL -> "mul_f32";
            case DIV -> "div_f32";
        };
        launcher.elementwise(KernelFamily.ELEMENTWISE, kernel, n,
                KernelArgs.create().ptr(a).ptr(b).ptr(out).struct(l.toBytes(), 8).i64(n));
    }

    @Override
    public void strided(DeviceBuffer x, long xOffset, long[] xStrides, DeviceBuffer y, int[] outDims) {
        StridedLayout l = StridedLayout.of(outDims, xStrides, new long[outDims.length]);
        long n = l.size();
        holds(x, xOffset + l.extentA(), F32, "strided input");
        holds(y, n, F32, "strided output");
        launcher.elementwise(KernelFamily.LAYOUT, "strided_copy_f32", n,
                KernelArgs.create().ptr(x, xOffset * F32).ptr(y).struct(l.toBytes(), 8).i64(n));
    }

    @Override
    public void activation(Activation act, DeviceBuffer x, DeviceBuffer y, long n) {
        holds(x, n, F32, "activation input");
        holds(y, n, F32, "activation output");
        String kernel = switch (act) {
            case RELU -> "relu_f32";
            case GELU -> "gelu_f32";
            case RSQRT -> "rsqrt_f32";
        };
        launcher.elementwise(KernelFamily.ELEMENTWISE, kernel, n, KernelArgs.create().ptr(x).ptr(y).i64(n));
    }

    @Override
    public void activationGrad(Activation act, DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dx, long n) {
        holds(x, n, F32, "activation input");
        holds(dy, n, F32, "activation output gradient");
        holds(dx, n, F32, "activation input gradient");
        String kernel = switch (act) {
            case RELU -> "relu_grad_f32";
            case GELU -> "gelu_grad_f32";
            case RSQRT -> "rsqrt_grad_f32";
        };
        launcher.elementwise(KernelFamily.ELEMENTWISE, kernel, n, KernelArgs.create().ptr(x).ptr(dy).ptr(dx).i64(n));
    }

    @Override
    public void scale(DeviceBuffer x, float alpha, DeviceBuffer y, long n) {
        holds(x, n, F32, "scale input");
        holds(y, n, F32, "scale output");
        launcher.elementwise(KernelFamily.ELEMENTWISE, "scale_f32", n, KernelArgs.create().ptr(x).f32(alpha).ptr(y).i64(n));
    }

    @Override
    public void round(DType type, DeviceBuffer x, DeviceBuffer y, long n) {
        String kernel = switch (type) {
            case F32 -> null;
            case BF16 -> "round_bf16_f32";
            case F16 -> "round_f16_f32";
            case I32 -> throw new IllegalArgumentException("i32 is not a floating-point type to round to");
        };
        if (kernel == null) {
            if (x != y) {
                copy(x, 0, y, 0, n);
            }
            return;
        }
        holds(x, n, F32, "round input");
        holds(y, n, F32, "round output");
        launcher.elementwise(KernelFamily.CAST, kernel, n, KernelArgs.create().ptr(x).ptr(y).i64(n));
    }

    @Override
    public void flagNonFinite(DeviceBuffer x, long n, DeviceBuffer flag) {
        holds(x, n, F32, "checked tensor");
        holds(flag, 1, F32, "flag");
        launcher.elementwise(KernelFamily.CAST, "flag_nonfinite_f32", n, KernelArgs.create().ptr(x).i64(n).ptr(flag));
    }

    @Override
    public void reduceSum(DeviceBuffer x, int[] dims, boolean[] reduced, float scale, DeviceBuffer y) {
        ReduceLayout l = ReduceLayout.of(dims, reduced);
        long outputs = l.outputs();
        long count = l.reducedCount();
        holds(x, outputs * count, F32, "reduction input");
        holds(y, outputs, F32, "reduction output");
        if (outputs == 0) {
            return;
        }
        KernelArgs args = KernelArgs.create().ptr(x).ptr(y).struct(l.toBytes(), 8).i64(outputs).i64(count).f32(scale);
        if (l.innermostReduced() && count >= 32) {
            launcher.launch(KernelFamily.REDUCTION, "reduce_sum_rows_f32", Launch.perItemGrid(outputs, sms), Dim3.of(Launch.rowBlock(count)), args);
        } else {
            launcher.launch(KernelFamily.REDUCTION, "reduce_sum_cols_f32", Launch.perItemGrid(Math.ceilDiv(outputs, 32), sms), Dim3.of(32, 32),
                    args);
        }
    }

    @Override
    public void softmax(DeviceBuffer x, DeviceBuffer y, long rows, int n, int causalSeq) {
        holds(x, rows * n, F32, "softmax input");
        holds(y, rows * n, F32, "softmax output");
        if (rows > 0 && n > 0) {
            launcher.launch(KernelFamily.SOFTMAX, "softmax_f32", Launch.perItemGrid(rows, sms), Dim3.of(Launch.rowBlock(n)),
                    KernelArgs.create().ptr(x).ptr(y).i64(rows).i32(n).i32(causalSeq));
        }
    }

    @Override
    public void softmaxGrad(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, long rows, int n) {
        holds(y, rows * n, F32, "softmax output");
        holds(dy, rows * n, F32, "softmax output gradient");
        holds(dx, rows * n, F32, "softmax input gradient");
        if (rows > 0 && n > 0) {
            launcher.launch(KernelFamily.SOFTMAX, "softmax_grad_f32", Launch.perItemGrid(rows, sms), Dim3.of(Launch.rowBlock(n)),
                    KernelArgs.create().ptr(y).ptr(dy).ptr(dx).i64(rows).i32(n));
        }
    }

    @Override
    public void layerNorm(DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer y, long rows, int h, float eps) {
        holds(x, rows * h, F32, "layer norm input");
        holds(gamma, h, F32, "layer norm gamma");
        holds(beta, h, F32, "layer norm beta");
        holds(y, rows * h, F32, "layer norm output");
        if (rows > 0 && h > 0) {
            launcher.launch(KernelFamily.LAYERNORM, "layer_norm_f32", Launch.perItemGrid(rows, sms), Dim3.of(Launch.rowBlock(h)),
                    KernelArgs.create().ptr(x).ptr(gamma).ptr(beta).ptr(y).i64(rows).i32(h).f32(eps));
        }
    }

    @Override
    public void layerNormGrad(DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer dy, DeviceBuffer dx, long rows, int h, float eps) {
        holds(x, rows * h, F32, "layer norm input");
        holds(gamma, h, F32, "layer norm gamma");
        holds(dy, rows * h, F32, "layer norm output gradient");
        holds(dx, rows * h, F32, "layer norm input gradient");
        if (rows > 0 && h > 0) {
            launcher.launch(KernelFamily.LAYERNORM, "layer_norm_grad_f32", Launch.perItemGrid(rows, sms), Dim3.of(Launch.rowBlock(h)),
                    KernelArgs.create().ptr(x).ptr(gamma).ptr(dy).ptr(dx).i64(rows).i32(h).f32(eps));
        }
    }

    @Override
    public void layerNormGammaGrad(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dgamma, long rows, int h, float eps) {
        holds(x, rows * h, F32, "layer norm input");
        holds(dy, rows * h, F32, "layer norm output gradient");
        holds(dgamma, h, F32, "layer norm gamma gradient");
        if (h == 0) {
            return;
        }
        try (DeviceBuffer stats = pool.allocate(Math.max(1, 2 * rows) * F32)) {
            if (rows > 0) {
                launcher.launch(KernelFamily.LAYERNORM, "layer_norm_stats_f32", Launch.perItemGrid(rows, sms), Dim3.of(Launch.rowBlock(h)),
                        KernelArgs.create().ptr(x).ptr(stats).i64(rows).i32(h).f32(eps));
            }
            launcher.launch(KernelFamily.LAYERNORM, "layer_norm_gamma_grad_f32", Launch.perItemGrid(Math.ceilDiv(h, 32), sms), Dim3.of(32, 32),
                    KernelArgs.create().ptr(x).ptr(dy).ptr(stats).ptr(dgamma).i64(rows).i32(h));
        }
    }

    @Override
    public void embedding(DeviceBuffer ids, DeviceBuffer table, DeviceBuffer out, long n, int h, int vocabStart, int tableRows) {
        holds(ids, n, 4, "embedding ids");
        holds(table, (long) tableRows * h, F32, "embedding table");
        holds(out, n * h, F32, "embedding output");
        if (n > 0 && h > 0) {
            launcher.launch(KernelFamily.EMBEDDING, "embedding_f32", Launch.perItemGrid(n, sms), Dim3.of(Launch.hiddenBlock(h)),
                    KernelArgs.create().ptr(ids).ptr(table).ptr(out).i64(n).i32(h).i32(vocabStart).i32(tableRows));
        }
    }

    @Override
    public void embeddingGrad(DeviceBuffer ids, DeviceBuffer dy, DeviceBuffer dtable, long n, int h, int vocabStart, int tableRows) {
        holds(ids, n, 4, "embedding ids");
        holds(dy, n * h, F32, "embedding output gradient");
        holds(dtable, (long) tableRows * h, F32, "embedding table gradient");
        queue.memset(dtable, 0, 0, (long) tableRows * h * F32);
        if (n > 0 && h > 0) {
            launcher.launch(KernelFamily.EMBEDDING, "embedding_grad_f32", Launch.perItemGrid(n, sms), Dim3.of(Launch.hiddenBlock(h)),
                    KernelArgs.create().ptr(ids).ptr(dy).ptr(dtable).i64(n).i32(h).i32(vocabStart).i32(tableRows));
        }
    }

    @Override
    public void crossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer loss, long rows, int vocab, float invCount) {
        losses.crossEntropy(logits, labels, loss, rows, vocab, invCount);
    }

    @Override
    public void crossEntropyGrad(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int vocab,
                                 float invCount) {
        losses.crossEntropyGrad(logits, labels, dloss, dlogits, rows, vocab, invCount);
    }

    @Override
    public void rowMax(DeviceBuffer x, DeviceBuffer out, long rows, int n) {
        losses.rowMax(x, out, rows, n);
    }

    @Override
    public void rowSumExp(DeviceBuffer x, DeviceBuffer max, DeviceBuffer out, long rows, int n) {
        losses.rowSumExp(x, max, out, rows, n);
    }

    @Override
    public void pickTarget(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer out, long rows, int n, int vocabStart) {
        losses.pickTarget(logits, labels, out, rows, n, vocabStart);
    }

    @Override
    public void crossEntropyFromStats(DeviceBuffer max, DeviceBuffer sumExp, DeviceBuffer target, DeviceBuffer loss, long rows,
                                      float invCount) {
        losses.crossEntropyFromStats(max, sumExp, target, loss, rows, invCount);
    }

    @Override
    public void crossEntropyGradFromStats(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer max, DeviceBuffer sumExp,
                                          DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int n, int vocabStart, float invCount) {
        losses.crossEntropyGradFromStats(logits, labels, max, sumExp, dloss, dlogits, rows, n, vocabStart, invCount);
    }

    @Override
    public void mse(DeviceBuffer pred, DeviceBuffer target, DeviceBuffer loss, long n, float invCount) {
        losses.mse(pred, target, loss, n, invCount);
    }

    @Override
    public void momentumUpdate(DeviceBuffer v, DeviceBuffer g, DeviceBuffer p, DeviceBuffer out, long n, float momentum, float weightDecay) {
        optimizer.momentumUpdate(v, g, p, out, n, momentum, weightDecay);
    }

    @Override
    public void sgdApply(DeviceBuffer p, DeviceBuffer u, DeviceBuffer out, long n, float lr) {
        optimizer.sgdApply(p, u, out, n, lr);
    }

    @Override
    public void adamMoment(DeviceBuffer m, DeviceBuffer g, DeviceBuffer out, long n, float beta, boolean squared) {
        optimizer.adamMoment(m, g, out, n, beta, squared);
    }

    @Override
    public void adamApply(DeviceBuffer p, DeviceBuffer m, DeviceBuffer v, DeviceBuffer step, DeviceBuffer out, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay) {
        optimizer.adamApply(p, m, v, step, out, n, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void stepIncrement(DeviceBuffer t, DeviceBuffer out) {
        optimizer.stepIncrement(t, out);
    }

    @Override
    public void im2col(DeviceBuffer x, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        windows.im2col(x, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void col2im(DeviceBuffer col, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        windows.col2im(col, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void top2Routing(io.github.alpa4j.ir.RoutingOp.Output what, DeviceBuffer gates, DeviceBuffer dcombine, DeviceBuffer out,
                            long groups, int s, int e, int c) {
        windows.top2Routing(what, gates, dcombine, out, groups, s, e, c);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, long strideA,
                     DeviceBuffer b, long strideB, float beta, DeviceBuffer c, long strideC, int batch) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    @Override
    public void toBf16(DeviceBuffer x, DeviceBuffer y, long n) {
        holds(x, n, F32, "cast input");
        holds(y, n, 2, "cast output");
        launcher.elementwise(KernelFamily.CAST, "f32_to_bf16", n, KernelArgs.create().ptr(x).ptr(y).i64(n));
    }

    @Override
    public void fromBf16(DeviceBuffer x, DeviceBuffer y, long n) {
        holds(x, n, 2, "cast input");
        holds(y, n, F32, "cast output");
        launcher.elementwise(KernelFamily.CAST, "bf16_to_f32", n, KernelArgs.create().ptr(x).ptr(y).i64(n));
    }
}
