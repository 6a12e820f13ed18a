package io.github.alpa4j.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The NdLayout struct of common.cuh: an output of {@code dims} (row-major) read from operands A
 * and B with element strides. Built coalesced: dimensions of size 1 go, and neighbours that
 * every operand walks contiguously merge, so most element-wise calls reach the GPU as rank 1 or 2
 * and the kernel divides less.
 */
record StridedLayout(long[] dims, long[] strideA, long[] strideB) {
    static final int MAX_RANK = 8;
    static final int BYTES = 8 + 3 * 8 * MAX_RANK;
    /** Merged dimensions stay below 2^31: the kernel divides by them in 32 bits. */
    private static final long MAX_DIM = Integer.MAX_VALUE;

    static StridedLayout of(int[] dims, long[] strideA, long[] strideB) {
        if (strideA.length != dims.length || strideB.length != dims.length) {
            throw new IllegalArgumentException("strides of rank " + strideA.length + " and " + strideB.length
                    + " for an output of rank " + dims.length);
        }
        List<long[]> kept = new ArrayList<>(); // innermost first: {dim, strideA, strideB}
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] < 0) {
                throw new IllegalArgumentException("negative dimension " + dims[d]);
            }
            if (dims[d] == 1) {
                continue;
            }
            if (!kept.isEmpty()) {
                long[] in = kept.get(kept.size() - 1);
                if (strideA[d] == in[1] * in[0] && strideB[d] == in[2] * in[0] && in[0] * dims[d] <= MAX_DIM) {
                    in[0] *= dims[d];
                    continue;
                }
            }
            kept.add(new long[] {dims[d], strideA[d], strideB[d]});
        }
        if (kept.isEmpty()) {
            kept.add(new long[] {1, 0, 0});
        }
        if (kept.size() > MAX_RANK) {
            throw new IllegalArgumentException("element-wise kernels take rank " + MAX_RANK + " at most, not " + kept.size());
        }
        int r = kept.size();
        long[] ds = new long[r];
        long[] sa = new long[r];
        long[] sb = new long[r];
        for (int i = 0; i < r; i++) {
            long[] k = kept.get(r - 1 - i);
            ds[i] = k[0];
            sa[i] = k[1];
            sb[i] = k[2];
        }
        return new StridedLayout(ds, sa, sb);
    }

    int rank() {
        return dims.length;
    }

    long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements of A the output reaches: 1 + the largest offset (strides are not negative). */
    long extentA() {
        return extent(strideA);
    }

    long extentB() {
        return extent(strideB);
    }

    private long extent(long[] strides) {
        if (size() == 0) {
            return 0;
        }
        long max = 0;
        for (int d = 0; d < dims.length; d++) {
            if (strides[d] < 0) {
                throw new IllegalArgumentException("negative stride " + strides[d]);
            }
            max += (dims[d] - 1) * strides[d];
        }
        return max + 1;
    }

    /** Element offsets into A and B of output element i (what the kernel's ndOffsets computes). */
    long[] offsets(long i) {
        long a = 0;
        long b = 0;
        for (int d = dims.length - 1; d >= 1; d--) {
            long r = i % dims[d];
            i /= dims[d];
            a += r * strideA[d];
            b += r * strideB[d];
        }
        return new long[] {a + i * strideA[0], b + i * strideB[0]};
    }

    /** The struct's bytes: int rank, int pad, then dims, strideA, strideB, eight longs each. */
    byte[] toBytes() {
        ByteBuffer bb = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(rank()).putInt(0);
        for (int d = 0; d < MAX_RANK; d++) {
            bb.putLong(d < rank() ? dims[d] : 1);
        }
        for (int d = 0; d < MAX_RANK; d++) {
            bb.putLong(d < rank() ? strideA[d] : 0);
        }
        for (int d = 0; d < MAX_RANK; d++) {
            bb.putLong(d < rank() ? strideB[d] : 0);
        }
        return bb.array();
    }
}
