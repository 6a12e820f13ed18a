package io.github.alpa4j.cuda;

import java.util.Optional;

/** The device has no memory left for an allocation, even after the pool released its cache. */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;

    public DeviceOutOfMemoryException(long requestedBytes, PoolStats stats, Optional<String> op) {
        super("out of GPU memory: could not allocate " + Bytes.human(requestedBytes)
                + op.map(o -> " for op " + o).orElse("")
                + " (in use " + Bytes.human(stats.bytesInUse()) + ", peak " + Bytes.human(stats.peakBytesInUse())
                + "); use a smaller batch, more microbatches or more devices");
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
