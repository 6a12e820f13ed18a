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

    /**
     * Starts a session.
     *
     * @throws CudaUnavailableException with one line saying what is wrong and what to do when NVML is
     *     missing or cannot start (no permission on the device files, no kernel driver, a version mismatch)
     */
    public static Nvml open() {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NVML);
        int status = nvml.nvmlInit_v2();
        if (status != nvml.NVML_SUCCESS) {
            GpuReport.Problem p = initProblem(status);
            throw new CudaUnavailableException(p.what() + "; " + p.fix());
        }
        return new Nvml();
    }

    /** What a failed {@code nvmlInit} means and what to do about it (the doctor's NVML line too). */
    static GpuReport.Problem initProblem(int status) {
        return switch (status) {
            case nvml.NVML_ERROR_NO_PERMISSION -> new GpuReport.Problem("nvmlInit failed: no permission to open the GPU",
                    "give this user read and write access to /dev/nvidia* (e.g. the video group), or start the container with --gpus all");
            case nvml.NVML_ERROR_DRIVER_NOT_LOADED -> new GpuReport.Problem("nvmlInit failed: the NVIDIA kernel driver is not loaded",
                    "load it (sudo modprobe nvidia) and check nvidia-smi and dmesg");
            case nvml.NVML_ERROR_LIB_RM_VERSION_MISMATCH -> new GpuReport.Problem(
                    "nvmlInit failed: libnvidia-ml.so.1 and the kernel driver are different versions",
                    "reboot, or reload the nvidia kernel module, after the driver update");
            case nvml.NVML_ERROR_LIBRARY_NOT_FOUND, nvml.NVML_ERROR_FUNCTION_NOT_FOUND -> new GpuReport.Problem(
                    "nvmlInit failed: libnvidia-ml.so.1 is incomplete or older than the driver", "reinstall the NVIDIA driver (580 or newer)");
            default -> new GpuReport.Problem("nvmlInit failed with nvmlReturn " + status,
                    "check nvidia-smi and the kernel log (dmesg) for the driver's state");
        };
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
