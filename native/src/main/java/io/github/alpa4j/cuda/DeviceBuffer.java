package io.github.alpa4j.cuda;

/**
 * A block of device memory from a {@link DevicePool}; it knows its size in bytes and nothing of
 * the element type. Closing it returns the block to the pool (closing twice is harmless).
 */
public final class DeviceBuffer implements AutoCloseable {
    private final DevicePool pool;
    private final long address;
    private final long bytes;
    private final long capacity;
    private volatile boolean open = true;

    DeviceBuffer(DevicePool pool, long address, long bytes, long capacity) {
        this.pool = pool;
        this.address = address;
        this.bytes = bytes;
        this.capacity = capacity;
    }

    /** The device address of the first byte. */
    public long address() {
        if (!open) {
            throw new IllegalStateException("device buffer used after close: " + this);
        }
        return address;
    }

    /** The device address {@code byteOffset} bytes in, checked against the buffer's size. */
    public long address(long byteOffset) {
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IndexOutOfBoundsException("offset " + byteOffset + " outside " + this);
        }
        return address() + byteOffset;
    }

    /** The size asked for. */
    public long bytes() {
        return bytes;
    }

    /** The size of the block behind it (its pool size class), at least {@link #bytes()}. */
    public long capacity() {
        return capacity;
    }

    public boolean isOpen() {
        return open;
    }

    long rawAddress() {
        return address;
    }

    /** Marks the buffer closed; false if it already was. */
    boolean markClosed() {
        if (!open) {
            return false;
        }
        open = false;
        return true;
    }

    @Override
    public void close() {
        pool.release(this);
    }

    @Override
    public String toString() {
        return "DeviceBuffer[0x" + Long.toHexString(address) + ", " + bytes + " bytes" + (open ? "" : ", closed") + "]";
    }
}
