package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.cuda.global.cudart;

/**
 * One GPU. The CUDA runtime keeps a current device per host thread: every wrapper makes its
 * device current before it calls, so threads may share a device object.
 */
public final class CudaDevice {
    private final GpuDevice info;

    private CudaDevice(GpuDevice info) {
        this.info = info;
    }

    /** Number of devices the runtime sees (0 when there is no usable GPU). */
    public static int count() {
        return Gpu.probe().available() ? Gpu.probe().devices().size() : 0;
    }

    /**
     * Opens device {@code ordinal} and creates its primary context.
     *
     * @throws CudaUnavailableException when there is no such GPU
     */
    public static CudaDevice open(int ordinal) {
        GpuReport r = Gpu.require(CudaLibrary.CUDART);
        if (ordinal < 0 || ordinal >= r.devices().size()) {
            throw new CudaUnavailableException("there is no GPU " + ordinal + ": this machine has " + r.summary()
                    + "; pick a device below " + r.devices().size());
        }
        CudaDevice d = new CudaDevice(r.devices().get(ordinal));
        d.makeCurrent();
        Check.cuda(cudart.cudaFree(new AddressPointer(0)), "cudaFree(NULL) to create the context of GPU " + ordinal);
        return d;
    }

    public int ordinal() {
        return info.ordinal();
    }

    public GpuDevice info() {
        return info;
    }

    /** The architecture NVRTC compiles for, e.g. {@code sm_90}. */
    public String arch() {
        return info.arch();
    }

    /** Makes this the calling thread's current device. */
    public void makeCurrent() {
        Check.cuda(cudart.cudaSetDevice(info.ordinal()), "cudaSetDevice(" + info.ordinal() + ")");
    }

    /** Waits for all work on this device. */
    public void synchronize() {
        makeCurrent();
        Check.cuda(cudart.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    /** Free and total device memory in bytes, as the driver counts them now. */
    public MemoryInfo memoryInfo() {
        makeCurrent();
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            Check.cuda(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return new MemoryInfo(free.get(), total.get());
        }
    }

    /** The CUDA version the driver supports, encoded as 1000·major + 10·minor (13000 for 13.0). */
    public static int driverVersion() {
        Gpu.require(CudaLibrary.CUDART);
        int[] v = new int[1];
        Check.cuda(cudart.cudaDriverGetVersion(v), "cudaDriverGetVersion");
        return v[0];
    }

    /** Device memory as the driver counts it. */
    public record MemoryInfo(long freeBytes, long totalBytes) {
    }

    @Override
    public String toString() {
        return "CudaDevice[" + info + "]";
    }
}
