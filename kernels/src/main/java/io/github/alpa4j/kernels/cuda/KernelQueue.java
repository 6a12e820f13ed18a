package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Dim3;
import io.github.alpa4j.cuda.KernelArgs;

/**
 * Where {@link CudaKernels} sends its work, in order: a CUDA stream with the compiled modules, or
 * in tests a CPU emulation that runs the same CUDA sources.
 */
interface KernelQueue {

    void launch(KernelFamily family, String kernel, Dim3 grid, Dim3 block, KernelArgs args);

    /** Device-to-device copy of {@code bytes} (ranges do not overlap). */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes);

    void memset(DeviceBuffer dst, long offset, int value, long bytes);
}
