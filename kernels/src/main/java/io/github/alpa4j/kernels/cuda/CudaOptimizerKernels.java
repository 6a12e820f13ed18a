package io.github.alpa4j.kernels.cuda;

import static io.github.alpa4j.kernels.cuda.Launch.holds;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/** The optimizer kernels of {@link CudaKernels} (optimizer.cu): momentum and SGD, Adam's moments and update, the step count. */
final class CudaOptimizerKernels {
    private static final int F32 = 4;

    private final Launcher launcher;

    CudaOptimizerKernels(Launcher launcher) {
        this.launcher = launcher;
    }

    void momentumUpdate(DeviceBuffer v, DeviceBuffer g, DeviceBuffer p, DeviceBuffer out, long n, float momentum, float weightDecay) {
        holds(v, n, F32, "momentum");
        holds(g, n, F32, "gradient");
        holds(p, n, F32, "parameter");
        holds(out, n, F32, "momentum output");
        launcher.elementwise(KernelFamily.OPTIMIZER, "momentum_update_f32", n,
                KernelArgs.create().ptr(v).ptr(g).ptr(p).ptr(out).i64(n).f32(momentum).f32(weightDecay));
    }

    void sgdApply(DeviceBuffer p, DeviceBuffer u, DeviceBuffer out, long n, float lr) {
        holds(p, n, F32, "parameter");
        holds(u, n, F32, "update");
        holds(out, n, F32, "parameter output");
        launcher.elementwise(KernelFamily.OPTIMIZER, "sgd_apply_f32", n, KernelArgs.create().ptr(p).ptr(u).ptr(out).i64(n).f32(lr));
    }

    void adamMoment(DeviceBuffer m, DeviceBuffer g, DeviceBuffer out, long n, float beta, boolean squared) {
        holds(m, n, F32, "moment");
        holds(g, n, F32, "gradient");
        holds(out, n, F32, "moment output");
        launcher.elementwise(KernelFamily.OPTIMIZER, "adam_moment_f32", n,
                KernelArgs.create().ptr(m).ptr(g).ptr(out).i64(n).f32(beta).i32(squared ? 1 : 0));
    }

    void adamApply(DeviceBuffer p, DeviceBuffer m, DeviceBuffer v, DeviceBuffer step, DeviceBuffer out, long n,
                          float lr, float beta1, float beta2, float eps, float weightDecay) {
        holds(p, n, F32, "parameter");
        holds(m, n, F32, "first moment");
        holds(v, n, F32, "second moment");
        holds(step, 1, F32, "step");
        holds(out, n, F32, "parameter output");
        launcher.elementwise(KernelFamily.OPTIMIZER, "adam_apply_f32", n, KernelArgs.create().ptr(p).ptr(m).ptr(v).ptr(step).ptr(out).i64(n)
                .f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay));
    }

    void stepIncrement(DeviceBuffer t, DeviceBuffer out) {
        holds(t, 1, F32, "step");
        holds(out, 1, F32, "step output");
        launcher.launch(KernelFamily.OPTIMIZER, "step_increment_f32", 1, Dim3.of(32), KernelArgs.create().ptr(t).ptr(out));
    }
}
