package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.List;

/**
 * Host-side cutting of whole tensors into the block each device holds, and the reverse. Used to
 * feed data and initial variables to a mesh and to read parameters back; never on the step's
 * critical path between devices (that is the collective package's).
 */
public final class ShardLayout {
    private ShardLayout() {
    }

    /** The block of {@code whole} that {@code device} holds under {@code spec}. */
    public static Tensor block(Tensor whole, ShardingSpec spec, MeshGroups mesh, int device) {
        Shape g = whole.type().shape();
        if (g.rank() == 0) {
            return whole.copy();
        }
        int[] local = g.dims();
        int[] start = new int[g.rank()];
        for (int d = 0; d < g.rank(); d++) {
            int n = groupSize(spec, d, mesh);
            local[d] = g.dim(d) / n;
            start[d] = mesh.blockIndex(device, spec.dim(d).axes()) * local[d];
        }
        TensorType lt = whole.type().withShape(Shape.of(local));
        Tensor out = Tensor.zeros(lt);
        copyBlock(whole, g, out, Shape.of(local), start, true);
        return out;
    }

    /** The type of the block each device holds of a {@code global} tensor laid out as {@code spec}. */
    public static TensorType localType(TensorType global, ShardingSpec spec, MeshGroups mesh) {
        int[] local = global.shape().dims();
        for (int d = 0; d < local.length; d++) {
            local[d] /= groupSize(spec, d, mesh);
        }
        return global.withShape(Shape.of(local));
    }

    /** The whole tensor from every device's block (replicated blocks must agree; the first is taken). */
    public static Tensor assemble(List<Tensor> blocks, ShardingSpec spec, TensorType global, MeshGroups mesh) {
        Tensor whole = Tensor.zeros(global);
        Shape g = global.shape();
        if (g.rank() == 0) {
            return blocks.getFirst().copy();
        }
        for (int dev = blocks.size() - 1; dev >= 0; dev--) {
            Tensor b = blocks.get(dev);
            int[] start = new int[g.rank()];
            for (int d = 0; d < g.rank(); d++) {
                start[d] = mesh.blockIndex(dev, spec.dim(d).axes()) * b.type().dim(d);
            }
            copyBlock(whole, g, b, b.type().shape(), start, false);
        }
        return whole;
    }

    private static int groupSize(ShardingSpec spec, int d, MeshGroups mesh) {
        var axes = spec.dim(d).axes();
        return (axes.contains(0) ? mesh.rows() : 1) * (axes.contains(1) ? mesh.cols() : 1);
    }

    /** Copies between {@code whole} (at offset {@code start}) and {@code part}; {@code toPart} says which way. */
    private static void copyBlock(Tensor whole, Shape ws, Tensor part, Shape ps, int[] start, boolean toPart) {
        long[] wstr = ws.strides();
        int r = ps.rank();
        int inner = ps.dim(r - 1);
        int[] idx = new int[r];
        long rows = ps.size() / inner;
        for (long row = 0; row < rows; row++) {
            long w = start[r - 1];
            for (int d = 0; d < r - 1; d++) {
                w += (long) (start[d] + idx[d]) * wstr[d];
            }
            int p = (int) (row * inner);
            if (whole.isInt()) {
                copy(whole.ints(), (int) w, part.ints(), p, inner, toPart);
            } else {
                copy(whole.floats(), (int) w, part.floats(), p, inner, toPart);
            }
            for (int d = r - 2; d >= 0; d--) {
                if (++idx[d] < ps.dim(d)) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    private static void copy(Object whole, int w, Object part, int p, int n, boolean toPart) {
        if (toPart) {
            System.arraycopy(whole, w, part, p, n);
        } else {
            System.arraycopy(part, p, whole, w, n);
        }
    }
}
