package io.github.alpa4j.cuda;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;

/** A loaded module (cubin or PTX) on one device, and the kernels in it. */
public final class CudaModule implements AutoCloseable {
    private final CudaDevice device;
    private final CUmod_st handle;
    private final Map<String, CudaFunction> functions = new HashMap<>();
    private boolean closed;

    private CudaModule(CudaDevice device, CUmod_st handle) {
        this.device = device;
        this.handle = handle;
    }

    /** Loads {@code image} (from {@link Nvrtc#compile}) into {@code device}'s primary context. */
    public static CudaModule load(CudaDevice device, byte[] image) {
        device.makeCurrent();
        CUmod_st m = new CUmod_st();
        try (BytePointer data = new BytePointer(image)) {
            Check.driver(cudart.cuModuleLoadData(m, data), "cuModuleLoadData");
        }
        return new CudaModule(device, m);
    }

    /** The {@code extern "C"} kernel {@code name}. */
    public synchronized CudaFunction function(String name) {
        if (closed) {
            throw new IllegalStateException("module used after close");
        }
        return functions.computeIfAbsent(name, n -> {
            CUfunc_st f = new CUfunc_st();
            device.makeCurrent();
            Check.driver(cudart.cuModuleGetFunction(f, handle, n), "cuModuleGetFunction(" + n + ")");
            return new CudaFunction(n, device, f);
        });
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            functions.clear();
            device.makeCurrent();
            Check.driver(cudart.cuModuleUnload(handle), "cuModuleUnload");
        }
    }
}
