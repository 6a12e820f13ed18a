package io.github.alpa4j.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The ReduceLayout struct of common.cuh for summing a contiguous tensor of {@code dims} over the
 * dimensions marked reduced: the kept dimensions (outputs, row-major) and the reduced ones
 * (summed), with the input's strides. Built coalesced: size-1 dimensions go and neighbours with
 * the same mark merge.
 */
record ReduceLayout(long[] keptDims, long[] keptStrides, long[] reducedDims, long[] reducedStrides, boolean innermostReduced) {
    static final int MAX_RANK = 8;
    static final int BYTES = 8 + 4 * 8 * MAX_RANK;
    private static final long MAX_DIM = Integer.MAX_VALUE;

    static ReduceLayout of(int[] dims, boolean[] reduced) {
        if (reduced.length != dims.length) {
            throw new IllegalArgumentException(reduced.length + " reduction marks for rank " + dims.length);
        }
        List<long[]> groups = new ArrayList<>(); // outermost first: {dim, stride, reduced ? 1 : 0}
        long stride = 1;
        List<long[]> inner = new ArrayList<>();
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] < 0) {
                throw new IllegalArgumentException("negative dimension " + dims[d]);
            }
            if (dims[d] != 1) {
                long mark = reduced[d] ? 1 : 0;
                long[] last = inner.isEmpty() ? null : inner.get(inner.size() - 1);
                if (last != null && last[2] == mark && last[0] * dims[d] <= MAX_DIM) {
                    last[0] *= dims[d];
                } else {
                    inner.add(new long[] {dims[d], stride, mark});
                }
            }
            stride *= dims[d];
        }
        for (int i = inner.size() - 1; i >= 0; i--) {
            groups.add(inner.get(i));
        }
        List<long[]> kept = groups.stream().filter(g -> g[2] == 0).toList();
        List<long[]> red = groups.stream().filter(g -> g[2] == 1).toList();
        if (kept.size() > MAX_RANK || red.size() > MAX_RANK) {
            throw new IllegalArgumentException("reductions take rank " + MAX_RANK + " at most on each side, not "
                    + kept.size() + " kept and " + red.size() + " reduced");
        }
        boolean innermost = !groups.isEmpty() && groups.get(groups.size() - 1)[2] == 1;
        return new ReduceLayout(column(kept, 0), column(kept, 1), column(red, 0), column(red, 1), innermost);
    }

    private static long[] column(List<long[]> rows, int c) {
        long[] out = new long[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[c];
        }
        return out;
    }

    long outputs() {
        return product(keptDims);
    }

    long reducedCount() {
        return product(reducedDims);
    }

    private static long product(long[] a) {
        long n = 1;
        for (long v : a) {
            n *= v;
        }
        return n;
    }

    /** Input offset of output o's first element plus reduced element r's step (the kernel's keptOffset + reducedOffset). */
    long offset(long o, long r) {
        return offsetOf(o, keptDims, keptStrides) + offsetOf(r, reducedDims, reducedStrides);
    }

    private static long offsetOf(long i, long[] dims, long[] strides) {
        if (dims.length == 0) {
            return 0;
        }
        long off = 0;
        for (int d = dims.length - 1; d >= 1; d--) {
            off += (i % dims[d]) * strides[d];
            i /= dims[d];
        }
        return off + i * strides[0];
    }

    /** The struct's bytes: int keptRank, int reducedRank, then the four arrays of eight longs. */
    byte[] toBytes() {
        ByteBuffer bb = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(keptDims.length).putInt(reducedDims.length);
        for (long[] a : new long[][] {keptDims, keptStrides, reducedDims, reducedStrides}) {
            boolean isDims = a == keptDims || a == reducedDims;
            for (int d = 0; d < MAX_RANK; d++) {
                bb.putLong(d < a.length ? a[d] : (isDims ? 1 : 0));
            }
        }
        return bb.array();
    }
}
