package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.cuda.global.cudart;

/** {@link RawDeviceMemory} by cudaMalloc / cudaFree on one device. */
final class CudaMalloc implements RawDeviceMemory {
    private final CudaDevice device;

    CudaMalloc(CudaDevice device) {
        this.device = device;
    }

    @Override
    public long tryAllocate(long bytes) {
        device.makeCurrent();
        Pointer p = new Pointer();
        int rc = cudart.cudaMalloc(p, bytes);
        if (rc == cudart.cudaErrorMemoryAllocation) {
            cudart.cudaGetLastError(); // out of memory is not sticky: clear it so later calls do not report it
            return 0;
        }
        Check.cuda(rc, "cudaMalloc(" + bytes + " bytes)");
        return p.address();
    }

    @Override
    public void free(long address) {
        device.makeCurrent();
        Check.cuda(cudart.cudaFree(new AddressPointer(address)), "cudaFree");
    }
}
