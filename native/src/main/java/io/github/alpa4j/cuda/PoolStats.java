package io.github.alpa4j.cuda;

/**
 * A device pool's accounting. Bytes count whole blocks (size classes), not requested sizes.
 *
 * @param bytesInUse      bytes in blocks handed out and not yet closed
 * @param peakBytesInUse  the most {@code bytesInUse} has been since the pool opened (or {@link DevicePool#resetPeak})
 * @param bytesCached     bytes in free blocks kept for reuse
 * @param deviceMallocs   blocks obtained from the device (cudaMalloc calls that succeeded)
 * @param deviceFrees     blocks given back to the device (cudaFree calls)
 * @param reuses          allocations served from the cache
 */
public record PoolStats(long bytesInUse, long peakBytesInUse, long bytesCached, long deviceMallocs, long deviceFrees,
                        long reuses) {
}
