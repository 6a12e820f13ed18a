package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.DeviceBuffer;

/**
 * Launch shapes, and the size check every launch makes first. Grids stride, so a grid need not cover the work: 32 blocks per SM keep every
 * SM busy. Block sizes stay within each kernel's __launch_bounds__ (common.cuh).
 */
final class Launch {
    static final int ELEMENTWISE_THREADS = 256;
    static final int ROW_THREADS = 1024;
    static final int BLOCKS_PER_SM = 32;

    private Launch() {
    }

    /** Blocks for n elements of element-wise work. */
    static int elementwiseGrid(long n, int sms) {
        return (int) Math.max(1, Math.min(Math.ceilDiv(n, ELEMENTWISE_THREADS), (long) sms * BLOCKS_PER_SM));
    }

    /** Threads for a block that owns a row of n: about four elements each, 32 to 1024, a power of two. */
    static int rowBlock(long n) {
        long want = Math.max(32, Math.ceilDiv(n, 4));
        return (int) Math.min(ROW_THREADS, Long.highestOneBit(want - 1) << 1);
    }

    /** Blocks for {@code count} rows (or tokens, or tiles), one each up to the cap. */
    static int perItemGrid(long count, int sms) {
        return (int) Math.max(1, Math.min(count, (long) sms * BLOCKS_PER_SM));
    }

    /** Threads for a block walking a row of h floats: a multiple of 32, at most the element-wise size. */
    static int hiddenBlock(int h) {
        return (int) Math.min(ELEMENTWISE_THREADS, Math.max(32, Math.ceilDiv(h, 32) * 32L));
    }

    /** Checks that {@code b} holds {@code elements} of {@code elementBytes} each, before a kernel touches them. */
    static void holds(DeviceBuffer b, long elements, int elementBytes, String what) {
        if (elements < 0 || elements * elementBytes > b.bytes()) {
            throw new IllegalArgumentException(what + " needs " + elements + " elements of " + elementBytes + " bytes, "
                    + b + " has " + b.bytes() + " bytes");
        }
    }
}
