package io.github.alpa4j.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;

/** A CUDA event: a point in a stream's work to wait for or to time from. */
public final class CudaEvent implements AutoCloseable {
    private final CudaDevice device;
    private final CUevent_st handle;
    private boolean closed;

    private CudaEvent(CudaDevice device, CUevent_st handle) {
        this.device = device;
        this.handle = handle;
    }

    /** An event on {@code device}; {@code timing} false makes it cheaper when only waited on. */
    public static CudaEvent create(CudaDevice device, boolean timing) {
        device.makeCurrent();
        CUevent_st e = new CUevent_st();
        Check.cuda(cudart.cudaEventCreateWithFlags(e, timing ? cudart.cudaEventDefault : cudart.cudaEventDisableTiming),
                "cudaEventCreateWithFlags");
        return new CudaEvent(device, e);
    }

    CUevent_st handle() {
        return handle;
    }

    /** Marks the point after all work queued so far on {@code stream}. */
    public void record(CudaStream stream) {
        device.makeCurrent();
        Check.cuda(cudart.cudaEventRecord(handle, stream.handle()), "cudaEventRecord");
    }

    /** Blocks the host until the recorded work is done. */
    public void synchronize() {
        Check.cuda(cudart.cudaEventSynchronize(handle), "cudaEventSynchronize");
    }

    /** True once the recorded work is done. */
    public boolean isComplete() {
        int rc = cudart.cudaEventQuery(handle);
        if (rc == cudart.cudaErrorNotReady) {
            return false;
        }
        Check.cuda(rc, "cudaEventQuery");
        return true;
    }

    /** Milliseconds of GPU time from {@code start} to this event (both recorded with timing). */
    public float millisSince(CudaEvent start) {
        float[] ms = new float[1];
        Check.cuda(cudart.cudaEventElapsedTime(ms, start.handle, handle), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.makeCurrent();
            Check.cuda(cudart.cudaEventDestroy(handle), "cudaEventDestroy");
        }
    }
}
