package io.github.alpa4j.engine.collective;

import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.kernels.Kernels;

/**
 * Collectives on tensor shards split along a dimension: the flat, rank-ordered chunks of
 * {@link Collectives} plus the strided copies that place each chunk along the dimension. For a
 * dimension d with n shards of length L, the flat layout [n, A, L, B] (A the dimensions before d,
 * B after) is a permutation of the tensor's [A, n·L, B].
 */
public final class ShardCollectives<F> {
    private final Collectives<F> c;
    private final Kernels<F, ?> k;
    private final Allocator<F> alloc;

    /** Scratch buffers for rearranging chunks. */
    public interface Allocator<F> {
        F allocate(long elements);

        void free(F buffer);
    }

    public ShardCollectives(Collectives<F> collectives, Kernels<F, ?> kernels, Allocator<F> alloc) {
        this.c = collectives;
        this.k = kernels;
        this.alloc = alloc;
    }

    public Collectives<F> flat() {
        return c;
    }

    /** out (local dims with dim d × n) = the group's shards of {@code in} (local dims {@code in}) concatenated along d. */
    public void allGather(DeviceGroup g, int device, F in, Shape inShape, int d, F out) {
        int n = g.size();
        long size = inShape.size();
        if (leading(inShape, d)) {
            c.allGather(g, device, in, size, out);
            return;
        }
        F flat = alloc.allocate(size * n);
        c.allGather(g, device, in, size, flat);
        insertChunkAxis(flat, inShape, d, n, out);
        alloc.free(flat);
    }

    /** out (dim d ÷ n) = this device's block along d of the group's sum of {@code in}. */
    public void reduceScatter(DeviceGroup g, int device, F in, Shape inShape, int d, F out) {
        int n = g.size();
        long chunk = inShape.size() / n;
        if (leading(inShape, d)) {
            c.reduceScatter(g, device, in, chunk, out);
            return;
        }
        F flat = alloc.allocate(inShape.size());
        extractChunkAxis(in, inShape, d, n, flat);
        c.reduceScatter(g, device, flat, chunk, out);
        alloc.free(flat);
    }

    /** Moves the split from dimension {@code from} (gathered) to {@code to} (scattered) across the group. */
    public void allToAll(DeviceGroup g, int device, F in, Shape inShape, int from, int to, F out) {
        int n = g.size();
        long chunk = inShape.size() / n;
        F send = alloc.allocate(inShape.size());
        extractChunkAxis(in, inShape, to, n, send);
        F recv = alloc.allocate(inShape.size());
        c.allToAll(g, device, send, chunk, recv);
        alloc.free(send);
        int[] chunkDims = inShape.dims();
        chunkDims[to] /= n;
        insertChunkAxis(recv, Shape.of(chunkDims), from, n, out);
        alloc.free(recv);
    }

    /** out = block {@code block} of n along dimension d of {@code in}: a local strided copy. */
    public void slice(F in, Shape inShape, int d, int n, int block, F out) {
        long[] strides = inShape.strides();
        int[] outDims = inShape.dims();
        outDims[d] /= n;
        k.strided(in, block * outDims[d] * strides[d], strides, out, outDims);
    }

    /** True if the chunks along d are contiguous runs: every dimension before d is 1. */
    private static boolean leading(Shape s, int d) {
        for (int i = 0; i < d; i++) {
            if (s.dim(i) != 1) {
                return false;
            }
        }
        return true;
    }

    /** out[A, k·L + i, B] = flat[k][A, i, B] for chunks of shape {@code chunk}. */
    private void insertChunkAxis(F flat, Shape chunk, int d, int n, F out) {
        int r = chunk.rank();
        long[] cs = chunk.strides();
        int[] dims = new int[r + 1];
        long[] strides = new long[r + 1];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                dims[j] = n;
                strides[j++] = chunk.size();
            }
            dims[j] = chunk.dim(i);
            strides[j++] = cs[i];
        }
        k.strided(flat, 0, strides, out, dims);
    }

    /** flat[k][A, i, B] = in[A, k·L + i, B]: the chunks of dimension d laid out one after another. */
    private void extractChunkAxis(F in, Shape whole, int d, int n, F flat) {
        int r = whole.rank();
        long[] ws = whole.strides();
        int len = whole.dim(d) / n;
        int[] dims = new int[r + 1];
        long[] strides = new long[r + 1];
        dims[0] = n;
        strides[0] = len * ws[d];
        for (int i = 0; i < r; i++) {
            dims[i + 1] = i == d ? len : whole.dim(i);
            strides[i + 1] = ws[i];
        }
        k.strided(in, 0, strides, flat, dims);
    }
}
