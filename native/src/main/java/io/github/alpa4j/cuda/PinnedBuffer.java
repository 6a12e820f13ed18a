package io.github.alpa4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.cuda.global.cudart;

/**
 * Page-locked host memory (cudaMallocHost): the only host memory a copy can overlap with
 * kernels from. Read and write it through {@link #buffer()}.
 */
public final class PinnedBuffer implements AutoCloseable {
    private final long address;
    private final long bytes;
    private final ByteBuffer view;
    private boolean closed;

    private PinnedBuffer(long address, long bytes) {
        this.address = address;
        this.bytes = bytes;
        BytePointer p = new BytePointer(new AddressPointer(address));
        p.capacity(bytes);
        p.limit(bytes);
        this.view = p.asByteBuffer().order(ByteOrder.nativeOrder());
    }

    public static PinnedBuffer allocate(long bytes) {
        Gpu.require(CudaLibrary.CUDART);
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pinned buffers hold 1 byte to 2 GiB, not " + bytes);
        }
        Pointer p = new Pointer();
        Check.cuda(cudart.cudaMallocHost(p, bytes), "cudaMallocHost(" + bytes + " bytes)");
        return new PinnedBuffer(p.address(), bytes);
    }

    /** The memory as a native-order byte buffer (asFloatBuffer() and the like for typed views). */
    public ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("pinned buffer used after close");
        }
        return view.duplicate().order(ByteOrder.nativeOrder());
    }

    public long bytes() {
        return bytes;
    }

    long address(long offset) {
        if (closed) {
            throw new IllegalStateException("pinned buffer used after close");
        }
        if (offset < 0 || offset > bytes) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside a pinned buffer of " + bytes + " bytes");
        }
        return address + offset;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Check.cuda(cudart.cudaFreeHost(new AddressPointer(address)), "cudaFreeHost");
        }
    }
}
