package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/** Kernels and copies queued on one CUDA stream. */
record StreamQueue(CudaStream stream, CudaKernelModules modules) implements KernelQueue {

    @Override
    public void launch(KernelFamily family, String kernel, Dim3 grid, Dim3 block, KernelArgs args) {
        modules.function(family, kernel).launch(grid, block, 0, stream, args);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        stream.copyAsync(src, srcOffset, dst, dstOffset, bytes);
    }

    @Override
    public void memset(DeviceBuffer dst, long offset, int value, long bytes) {
        stream.memsetAsync(dst, offset, value, bytes);
    }
}
