package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.CudaDevice;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.KernelCache;
import io.github.alpa4j.kernels.cuda.CudaKernelModules;

/**
 * One GPU as the logical devices on it share it: the device (its primary context) and the kernel
 * modules, compiled by NVRTC once (through the on-disk cache) and loaded before the first step.
 * Close it after every backend on it.
 */
public final class GpuContext implements AutoCloseable {
    private final CudaDevice device;
    private final CudaKernelModules modules;

    private GpuContext(CudaDevice device, CudaKernelModules modules) {
        this.device = device;
        this.modules = modules;
    }

    /**
     * Opens GPU {@code ordinal} and compiles (or reads from {@code cache}) every kernel family.
     *
     * @throws io.github.alpa4j.cuda.CudaUnavailableException when the GPU, cuBLAS or NVRTC is missing
     */
    public static GpuContext open(int ordinal, KernelCache cache) {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.CUBLAS, CudaLibrary.NVRTC);
        CudaDevice device = CudaDevice.open(ordinal);
        CudaKernelModules modules = CudaKernelModules.open(device, cache);
        try {
            modules.compileAll();
        } catch (RuntimeException e) {
            modules.close();
            throw e;
        }
        return new GpuContext(device, modules);
    }

    /** GPU {@code ordinal} with the standard kernel cache ({@code $ALPA4J_CACHE} or {@code ~/.cache/alpa4j/kernels}). */
    public static GpuContext open(int ordinal) {
        return open(ordinal, KernelCache.standard());
    }

    public CudaDevice device() {
        return device;
    }

    CudaKernelModules modules() {
        return modules;
    }

    @Override
    public void close() {
        modules.close();
    }
}
