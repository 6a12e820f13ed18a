package io.github.alpa4j.cuda;

/**
 * The block sizes the pool hands out: multiples of 256 bytes (cudaMalloc's alignment), and above
 * 2 KiB eight classes per power of two, so a block wastes at most an eighth of itself and a
 * training step that asks for the same sizes each time reuses the same blocks.
 */
final class SizeClasses {
    static final long ALIGNMENT = 256;

    private SizeClasses() {
    }

    /** The class (block size) serving a request of {@code bytes}. */
    static long classOf(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        if (bytes <= ALIGNMENT) {
            return ALIGNMENT;
        }
        long step = Math.max(ALIGNMENT, Long.highestOneBit(bytes - 1) / 8);
        return Math.ceilDiv(bytes, step) * step;
    }
}
