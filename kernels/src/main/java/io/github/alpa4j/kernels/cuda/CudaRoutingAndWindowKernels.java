package io.github.alpa4j.kernels.cuda;

import static io.github.alpa4j.kernels.cuda.Launch.holds;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/**
 * The window and routing kernels of {@link CudaKernels}: im2col and col2im (patch.cu, convolution and
 * pooling as windows), and GShard's top-2 routing (routing.cu), a thread per group with integer scratch
 * from the pool.
 */
final class CudaRoutingAndWindowKernels {
    private static final int F32 = 4;

    private final Launcher launcher;
    private final DevicePool pool;

    CudaRoutingAndWindowKernels(Launcher launcher, DevicePool pool) {
        this.launcher = launcher;
        this.pool = pool;
    }

    void im2col(DeviceBuffer x, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        long ho = (h + 2L * pad - kh) / stride + 1;
        long wo = (w + 2L * pad - kw) / stride + 1;
        long cols = (long) n * ho * wo * c * kh * kw;
        holds(x, (long) n * h * w * c, F32, "im2col image");
        holds(out, cols, F32, "im2col windows");
        launcher.elementwise(KernelFamily.PATCH, "im2col_f32", cols,
                KernelArgs.create().ptr(x).ptr(out).i32(n).i32(h).i32(w).i32(c).i32(kh).i32(kw).i32(stride).i32(pad));
    }

    void col2im(DeviceBuffer col, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        long ho = (h + 2L * pad - kh) / stride + 1;
        long wo = (w + 2L * pad - kw) / stride + 1;
        long pixels = (long) n * h * w * c;
        holds(col, (long) n * ho * wo * c * kh * kw, F32, "col2im windows");
        holds(out, pixels, F32, "col2im image");
        launcher.elementwise(KernelFamily.PATCH, "col2im_f32", pixels,
                KernelArgs.create().ptr(col).ptr(out).i32(n).i32(h).i32(w).i32(c).i32(kh).i32(kw).i32(stride).i32(pad));
    }

    void top2Routing(io.github.alpa4j.ir.RoutingOp.Output what, DeviceBuffer gates, DeviceBuffer dcombine, DeviceBuffer out,
                            long groups, int s, int e, int c) {
        long outSize = groups * s * e * (what == io.github.alpa4j.ir.RoutingOp.Output.DISPATCH
                || what == io.github.alpa4j.ir.RoutingOp.Output.COMBINE ? c : 1);
        holds(gates, groups * s * e, F32, "routing gates");
        holds(out, outSize, F32, "routing output");
        launcher.queue().memset(out, 0, 0, outSize * F32); // the routing outputs start at zero
        if (groups == 0) {
            return;
        }
        boolean grad = what == io.github.alpa4j.ir.RoutingOp.Output.COMBINE_GRAD;
        if (grad) {
            holds(dcombine, groups * s * e * c, F32, "combine weights' gradient");
        }
        try (DeviceBuffer scratch = pool.allocate(groups * 2 * e * Integer.BYTES)) {
            launcher.launch(KernelFamily.ROUTING, "top2_routing_f32", Launch.elementwiseGrid(groups, launcher.sms()), Dim3.of(Launch.ELEMENTWISE_THREADS),
                    KernelArgs.create().ptr(gates).ptr(grad ? dcombine : gates).ptr(out).ptr(scratch).i64(groups).i32(s).i32(e).i32(c)
                            .i32(what.ordinal()));
        }
    }
}
