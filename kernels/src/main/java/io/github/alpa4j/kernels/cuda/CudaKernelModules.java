package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.CudaDevice;
import io.github.alpa4j.cuda.CudaFunction;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaModule;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.KernelCache;
import io.github.alpa4j.cuda.Nvrtc;
import java.util.EnumMap;
import java.util.Map;

/**
 * The kernel families compiled for one device: each compiled by NVRTC for the device's
 * architecture the first time one of its kernels is asked for (or all at once by
 * {@link #compileAll()}), through the on-disk cache, then loaded as a module.
 */
public final class CudaKernelModules implements AutoCloseable {
    private final CudaDevice device;
    private final KernelCache cache;
    private final String toolchain;
    private final Map<KernelFamily, CudaModule> modules = new EnumMap<>(KernelFamily.class);
    private boolean closed;

    private CudaKernelModules(CudaDevice device, KernelCache cache, String toolchain) {
        this.device = device;
        this.cache = cache;
        this.toolchain = toolchain;
    }

    /** Modules for {@code device}, compiled through {@code cache} (usually {@link KernelCache#standard()}). */
    public static CudaKernelModules open(CudaDevice device, KernelCache cache) {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NVRTC);
        return new CudaKernelModules(device, cache, Nvrtc.toolchain());
    }

    public CudaDevice device() {
        return device;
    }

    /** Kernel {@code name} of {@code family}, compiling and loading the family on first use. */
    public synchronized CudaFunction function(KernelFamily family, String name) {
        if (!family.kernels().contains(name)) {
            throw new IllegalArgumentException(family.fileName() + " defines no kernel " + name);
        }
        return module(family).function(name);
    }

    /** Compiles (or reads from the cache) and loads every family now, so no step pays for it. */
    public synchronized void compileAll() {
        for (KernelFamily f : KernelFamily.values()) {
            for (String k : f.kernels()) {
                module(f).function(k);
            }
        }
    }

    private CudaModule module(KernelFamily family) {
        if (closed) {
            throw new IllegalStateException("kernel modules used after close");
        }
        CudaModule m = modules.get(family);
        if (m == null) {
            byte[] image = cache.load(CudaSources.source(family), device.arch(), CudaSources.OPTIONS, toolchain, Nvrtc::compile);
            m = CudaModule.load(device, image);
            modules.put(family, m);
        }
        return m;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            RuntimeException first = null;
            for (CudaModule m : modules.values()) {
                try {
                    m.close();
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
            modules.clear();
            if (first != null) {
                throw first;
            }
        }
    }
}
