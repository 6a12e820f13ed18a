package io.github.alpa4j.cuda;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator of device memory: freed blocks go to a free list per size class and are
 * handed out again, so after its first step a training loop that asks for the same sizes calls
 * cudaMalloc no more ({@link PoolStats#deviceMallocs()} shows it). When the device runs out, the
 * pool gives its cache back and tries once more.
 *
 * <p>A pool serves one stream: a block freed on the host while a kernel still reads it is safe
 * to reuse only by work queued behind that kernel on the same stream.
 */
public final class DevicePool implements AutoCloseable {
    private final RawDeviceMemory raw;
    private final Map<Long, ArrayDeque<Long>> freeByClass = new HashMap<>();
    private final Map<Long, Long> blocks = new HashMap<>();
    private final Set<DeviceBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long bytesInUse;
    private long peak;
    private long bytesCached;
    private long mallocs;
    private long frees;
    private long reuses;
    private boolean closed;

    DevicePool(RawDeviceMemory raw) {
        this.raw = raw;
    }

    /** A pool of {@code device}'s memory. */
    public static DevicePool create(CudaDevice device) {
        return new DevicePool(new CudaMalloc(device));
    }

    /** A pool over other memory (a fake device, an emulation). */
    public static DevicePool over(RawDeviceMemory raw) {
        return new DevicePool(raw);
    }

    /** A block of at least {@code bytes} bytes, 256-byte aligned; close it to return it. */
    public synchronized DeviceBuffer allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("device pool is closed");
        }
        long cls = SizeClasses.classOf(bytes);
        ArrayDeque<Long> free = freeByClass.get(cls);
        long address;
        if (free != null && !free.isEmpty()) {
            address = free.pop();
            bytesCached -= cls;
            reuses++;
        } else {
            address = raw.tryAllocate(cls);
            if (address == 0) {
                releaseCache();
                address = raw.tryAllocate(cls);
            }
            if (address == 0) {
                throw new DeviceOutOfMemoryException(bytes, stats(), OpScope.current());
            }
            blocks.put(address, cls);
            mallocs++;
        }
        bytesInUse += cls;
        peak = Math.max(peak, bytesInUse);
        DeviceBuffer b = new DeviceBuffer(this, address, bytes, cls);
        live.add(b);
        return b;
    }

    /** Called by {@link DeviceBuffer#close()}. */
    synchronized void release(DeviceBuffer b) {
        if (!b.markClosed()) {
            return;
        }
        live.remove(b);
        bytesInUse -= b.capacity();
        freeByClass.computeIfAbsent(b.capacity(), c -> new ArrayDeque<>()).push(b.rawAddress());
        bytesCached += b.capacity();
    }

    /** Gives every cached (free) block back to the device. */
    public synchronized void releaseCache() {
        RuntimeException first = null;
        for (ArrayDeque<Long> list : freeByClass.values()) {
            while (!list.isEmpty()) {
                long a = list.pop();
                blocks.remove(a);
                try {
                    raw.free(a);
                    frees++;
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                }
            }
        }
        bytesCached = 0;
        if (first != null) {
            throw first;
        }
    }

    /** Starts a new peak measurement from the bytes in use now. */
    public synchronized void resetPeak() {
        peak = bytesInUse;
    }

    public synchronized PoolStats stats() {
        return new PoolStats(bytesInUse, peak, bytesCached, mallocs, frees, reuses);
    }

    /** Frees every block, including those of buffers still open (they become closed). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DeviceBuffer b : live) {
            b.markClosed();
        }
        live.clear();
        bytesInUse = 0;
        freeByClass.clear();
        bytesCached = 0;
        RuntimeException first = null;
        for (long a : blocks.keySet()) {
            try {
                raw.free(a);
                frees++;
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        blocks.clear();
        if (first != null) {
            throw first;
        }
    }
}
