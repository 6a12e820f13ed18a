package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/**
 * A non-blocking CUDA stream: work on it runs in order, apart from the legacy default stream.
 * Copies between Java arrays and the device go through this stream and wait for it (so they
 * come after every kernel queued before them); copies from pinned memory are asynchronous.
 */
public final class CudaStream implements AutoCloseable {
    private final CudaDevice device;
    private final CUstream_st handle;
    private boolean closed;

    private CudaStream(CudaDevice device, CUstream_st handle) {
        this.device = device;
        this.handle = handle;
    }

    public static CudaStream create(CudaDevice device) {
        device.makeCurrent();
        CUstream_st s = new CUstream_st();
        Check.cuda(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        return new CudaStream(device, s);
    }

    public CudaDevice device() {
        return device;
    }

    CUstream_st handle() {
        if (closed) {
            throw new IllegalStateException("stream used after close");
        }
        return handle;
    }

    /** Blocks the host until all work queued on this stream is done. */
    public void synchronize() {
        Check.cuda(cudart.cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
    }

    /** Makes later work on this stream wait for {@code event}. */
    public void waitFor(CudaEvent event) {
        Check.cuda(cudart.cudaStreamWaitEvent(handle(), event.handle(), 0), "cudaStreamWaitEvent");
    }

    public void copyToDevice(float[] src, DeviceBuffer dst) {
        copyToDevice(src, 0, src.length, dst, 0);
    }

    /** Copies {@code count} floats from {@code src[from..]} to element {@code dstElement} of {@code dst}. */
    public void copyToDevice(float[] src, int from, int count, DeviceBuffer dst, long dstElement) {
        java.util.Objects.checkFromIndexSize(from, count, src.length);
        try (FloatPointer h = new FloatPointer(count)) {
            h.put(src, from, count);
            toDevice(h, 4L * count, dst, 4L * dstElement);
        }
    }

    public void copyToDevice(int[] src, DeviceBuffer dst) {
        try (IntPointer h = new IntPointer(src)) {
            toDevice(h, 4L * src.length, dst, 0);
        }
    }

    /** bf16 (or any 16-bit) values. */
    public void copyToDevice(short[] src, DeviceBuffer dst) {
        try (ShortPointer h = new ShortPointer(src)) {
            toDevice(h, 2L * src.length, dst, 0);
        }
    }

    public void copyToHost(DeviceBuffer src, float[] dst) {
        copyToHost(src, 0, dst, 0, dst.length);
    }

    /** Copies {@code count} floats from element {@code srcElement} of {@code src} into {@code dst[to..]}. */
    public void copyToHost(DeviceBuffer src, long srcElement, float[] dst, int to, int count) {
        java.util.Objects.checkFromIndexSize(to, count, dst.length);
        try (FloatPointer h = new FloatPointer(count)) {
            toHost(src, 4L * srcElement, h, 4L * count);
            h.get(dst, to, count);
        }
    }

    public void copyToHost(DeviceBuffer src, int[] dst) {
        try (IntPointer h = new IntPointer(dst.length)) {
            toHost(src, 0, h, 4L * dst.length);
            h.get(dst);
        }
    }

    public void copyToHost(DeviceBuffer src, short[] dst) {
        try (ShortPointer h = new ShortPointer(dst.length)) {
            toHost(src, 0, h, 2L * dst.length);
            h.get(dst);
        }
    }

    /** Queues a copy of {@code bytes} from pinned memory to the device; returns at once. */
    public void copyToDeviceAsync(PinnedBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        within(dst, dstOffset, bytes);
        src.address(srcOffset + bytes);
        Check.cuda(cudart.cudaMemcpyAsync(new AddressPointer(dst.address(dstOffset)), new AddressPointer(src.address(srcOffset)),
                bytes, cudart.cudaMemcpyHostToDevice, handle()), "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
    }

    /** Queues a copy of {@code bytes} from the device to pinned memory; returns at once. */
    public void copyToHostAsync(DeviceBuffer src, long srcOffset, PinnedBuffer dst, long dstOffset, long bytes) {
        within(src, srcOffset, bytes);
        dst.address(dstOffset + bytes);
        Check.cuda(cudart.cudaMemcpyAsync(new AddressPointer(dst.address(dstOffset)), new AddressPointer(src.address(srcOffset)),
                bytes, cudart.cudaMemcpyDeviceToHost, handle()), "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
    }

    /** Queues a device-to-device copy (the ranges must not overlap). */
    public void copyAsync(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        within(src, srcOffset, bytes);
        within(dst, dstOffset, bytes);
        Check.cuda(cudart.cudaMemcpyAsync(new AddressPointer(dst.address(dstOffset)), new AddressPointer(src.address(srcOffset)),
                bytes, cudart.cudaMemcpyDeviceToDevice, handle()), "cudaMemcpyAsync(device to device, " + bytes + " bytes)");
    }

    /** Queues setting {@code bytes} bytes of {@code dst} to {@code value}. */
    public void memsetAsync(DeviceBuffer dst, long offset, int value, long bytes) {
        within(dst, offset, bytes);
        Check.cuda(cudart.cudaMemsetAsync(new AddressPointer(dst.address(offset)), value, bytes, handle()), "cudaMemsetAsync");
    }

    private void toDevice(Pointer host, long bytes, DeviceBuffer dst, long dstOffset) {
        within(dst, dstOffset, bytes);
        Check.cuda(cudart.cudaMemcpyAsync(new AddressPointer(dst.address(dstOffset)), host, bytes,
                cudart.cudaMemcpyHostToDevice, handle()), "cudaMemcpyAsync(host to device, " + bytes + " bytes)");
        synchronize();
    }

    private void toHost(DeviceBuffer src, long srcOffset, Pointer host, long bytes) {
        within(src, srcOffset, bytes);
        Check.cuda(cudart.cudaMemcpyAsync(host, new AddressPointer(src.address(srcOffset)), bytes,
                cudart.cudaMemcpyDeviceToHost, handle()), "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
        synchronize();
    }

    private static void within(DeviceBuffer b, long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > b.bytes()) {
            throw new IndexOutOfBoundsException(bytes + " bytes at offset " + offset + " do not fit " + b);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.makeCurrent();
            Check.cuda(cudart.cudaStreamDestroy(handle), "cudaStreamDestroy");
        }
    }
}
