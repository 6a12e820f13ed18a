package io.github.alpa4j.kernels.cuda;

import static io.github.alpa4j.kernels.cuda.Launch.holds;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/**
 * The loss kernels of {@link CudaKernels} (loss.cu): cross entropy, the pieces of its
 * vocabulary-parallel form, and mean squared error. Per-row or per-block partial sums go to
 * float64 scratch from the pool, then one block sums them.
 */
final class CudaLossKernels {
    private static final int F32 = 4;
    private static final int F64 = 8;

    private final Launcher launcher;
    private final DevicePool pool;

    CudaLossKernels(Launcher launcher, DevicePool pool) {
        this.launcher = launcher;
        this.pool = pool;
    }

    void crossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer loss, long rows, int vocab, float invCount) {
        holds(logits, rows * vocab, F32, "cross entropy logits");
        holds(labels, rows, 4, "cross entropy labels");
        holds(loss, 1, F32, "cross entropy loss");
        try (DeviceBuffer part = pool.allocate(Math.max(1, rows) * F64)) {
            if (rows > 0) {
                launcher.launch(KernelFamily.LOSS, "cross_entropy_rows_f32", Launch.perItemGrid(rows, launcher.sms()), Dim3.of(Launch.rowBlock(vocab)),
                        KernelArgs.create().ptr(logits).ptr(labels).ptr(part).i64(rows).i32(vocab));
            }
            sumParts(part, rows, invCount, loss);
        }
    }

    private void sumParts(DeviceBuffer part, long count, float scale, DeviceBuffer out) {
        launcher.launch(KernelFamily.LOSS, "sum_parts_f32", 1, Dim3.of(Launch.ROW_THREADS),
                KernelArgs.create().ptr(part).i64(count).f32(scale).ptr(out));
    }

    void crossEntropyGrad(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int vocab,
                          float invCount) {
        holds(logits, rows * vocab, F32, "cross entropy logits");
        holds(labels, rows, 4, "cross entropy labels");
        holds(dloss, 1, F32, "cross entropy loss gradient");
        holds(dlogits, rows * vocab, F32, "cross entropy logits gradient");
        if (rows > 0 && vocab > 0) {
            launcher.launch(KernelFamily.LOSS, "cross_entropy_grad_f32", Launch.perItemGrid(rows, launcher.sms()), Dim3.of(Launch.rowBlock(vocab)),
                    KernelArgs.create().ptr(logits).ptr(labels).ptr(dloss).ptr(dlogits).i64(rows).i32(vocab).f32(invCount));
        }
    }

    void rowMax(DeviceBuffer x, DeviceBuffer out, long rows, int n) {
        holds(x, rows * n, F32, "row max input");
        holds(out, rows, F32, "row max output");
        if (rows > 0 && n > 0) {
            launcher.launch(KernelFamily.LOSS, "row_max_f32", Launch.perItemGrid(rows, launcher.sms()), Dim3.of(Launch.rowBlock(n)),
                    KernelArgs.create().ptr(x).ptr(out).i64(rows).i32(n));
        }
    }

    void rowSumExp(DeviceBuffer x, DeviceBuffer max, DeviceBuffer out, long rows, int n) {
        holds(x, rows * n, F32, "row sum-exp input");
        holds(max, rows, F32, "row maxima");
        holds(out, rows, F32, "row sum-exp output");
        if (rows > 0 && n > 0) {
            launcher.launch(KernelFamily.LOSS, "row_sum_exp_f32", Launch.perItemGrid(rows, launcher.sms()), Dim3.of(Launch.rowBlock(n)),
                    KernelArgs.create().ptr(x).ptr(max).ptr(out).i64(rows).i32(n));
        }
    }

    void pickTarget(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer out, long rows, int n, int vocabStart) {
        holds(logits, rows * n, F32, "target logits");
        holds(labels, rows, 4, "target labels");
        holds(out, rows, F32, "target output");
        launcher.elementwise(KernelFamily.LOSS, "pick_target_f32", rows,
                KernelArgs.create().ptr(logits).ptr(labels).ptr(out).i64(rows).i32(n).i32(vocabStart));
    }

    void crossEntropyFromStats(DeviceBuffer max, DeviceBuffer sumExp, DeviceBuffer target, DeviceBuffer loss, long rows,
                               float invCount) {
        holds(max, rows, F32, "row maxima");
        holds(sumExp, rows, F32, "row sums of exponentials");
        holds(target, rows, F32, "target logits");
        holds(loss, 1, F32, "cross entropy loss");
        try (DeviceBuffer part = pool.allocate(Math.max(1, rows) * F64)) {
            launcher.elementwise(KernelFamily.LOSS, "cross_entropy_stats_rows_f32", rows,
                    KernelArgs.create().ptr(max).ptr(sumExp).ptr(target).ptr(part).i64(rows));
            sumParts(part, rows, invCount, loss);
        }
    }

    void crossEntropyGradFromStats(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer max, DeviceBuffer sumExp,
                                   DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int n, int vocabStart, float invCount) {
        holds(logits, rows * n, F32, "cross entropy logits");
        holds(labels, rows, 4, "cross entropy labels");
        holds(max, rows, F32, "row maxima");
        holds(sumExp, rows, F32, "row sums of exponentials");
        holds(dloss, 1, F32, "cross entropy loss gradient");
        holds(dlogits, rows * n, F32, "cross entropy logits gradient");
        launcher.elementwise(KernelFamily.LOSS, "cross_entropy_grad_stats_f32", rows * n,
                KernelArgs.create().ptr(logits).ptr(labels).ptr(max).ptr(sumExp).ptr(dloss).ptr(dlogits).i64(rows).i32(n)
                        .i32(vocabStart).f32(invCount));
    }

    void mse(DeviceBuffer pred, DeviceBuffer target, DeviceBuffer loss, long n, float invCount) {
        holds(pred, n, F32, "mse prediction");
        holds(target, n, F32, "mse target");
        holds(loss, 1, F32, "mse loss");
        int blocks = (int) Math.max(1, Math.min(Math.ceilDiv(n, Launch.ROW_THREADS), 4L * launcher.sms()));
        try (DeviceBuffer part = pool.allocate((long) blocks * F64)) {
            launcher.launch(KernelFamily.LOSS, "mse_parts_f32", blocks, Dim3.of(Launch.ROW_THREADS),
                    KernelArgs.create().ptr(pred).ptr(target).ptr(part).i64(n));
            sumParts(part, blocks, invCount, loss);
        }
    }
}
