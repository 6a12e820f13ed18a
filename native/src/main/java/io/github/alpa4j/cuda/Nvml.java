package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.global.nvml;

/**
 * Read-only NVML: device names, energy and power counters, clocks. Nothing here changes a
 * setting. NVML counts its own initialisations, so sessions may overlap.
 */
public final class Nvml implements AutoCloseable {
    private boolean closed;

    private Nvml() {
    }

    public static Nvml open() {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NVML);
        Check.nvml(nvml.nvmlInit_v2(), "nvmlInit");
        return new Nvml();
    }

    /** e.g. {@code 580.65.06}. */
    public String driverVersion() {
        open_();
        try (BytePointer buf = new BytePointer(nvml.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE)) {
            Check.nvml(nvml.nvmlSystemGetDriverVersion(buf, nvml.NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE), "nvmlSystemGetDriverVersion");
            return buf.getString();
        }
    }

    /** Devices NVML sees (all of the machine's, whatever CUDA_VISIBLE_DEVICES says). */
    public int deviceCount() {
        open_();
        int[] n = new int[1];
        Check.nvml(nvml.nvmlDeviceGetCount_v2(n), "nvmlDeviceGetCount");
        return n[0];
    }

    /** Device {@code index} in NVML's order (PCI bus order, which may differ from CUDA's). */
    public NvmlDevice device(int index) {
        open_();
        nvmlDevice_st h = new nvmlDevice_st();
        Check.nvml(nvml.nvmlDeviceGetHandleByIndex_v2(index, h), "nvmlDeviceGetHandleByIndex(" + index + ")");
        return new NvmlDevice(index, h);
    }

    private void open_() {
        if (closed) {
            throw new IllegalStateException("NVML session used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Check.nvml(nvml.nvmlShutdown(), "nvmlShutdown");
        }
    }
}
