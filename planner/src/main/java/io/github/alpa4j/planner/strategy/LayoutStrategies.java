package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reshape, permute and broadcast move no data between devices: a permute carries each dimension's
 * split along; a reshape keeps a split when the split dimension's blocks are whole blocks of one
 * output dimension (see {@link #reshaped}); a broadcast reads its input replicated along the
 * stretched dimensions and may leave its output split along them.
 */
final class LayoutStrategies {
    private LayoutStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, LayoutOp op) {
        return switch (op) {
            case LayoutOp.Permute p -> {
                int[] perm = p.permArray();
                yield c.einsum(Einsum.of(c.input(0).shape().dims(), new int[][] {Einsum.identity(perm.length)}, perm));
            }
            case LayoutOp.BroadcastTo b ->
                    c.einsum(ElementwiseStrategies.broadcasting(b.shape(), List.of(c.input(0).shape())));
            case LayoutOp.Reshape r -> reshape(c, r);
        };
    }

    static int leader(LayoutOp op) {
        return switch (op) {
            case LayoutOp.BroadcastTo b -> -1;
            case LayoutOp.Permute p -> 0;
            case LayoutOp.Reshape r -> 0;
        };
    }

    private static List<ShardingStrategy> reshape(StrategyContext c, LayoutOp.Reshape op) {
        Shape in = c.input(0).shape();
        List<ShardingStrategy> out = new ArrayList<>();
        for (int[] masks : Einsum.of(in.dims(), new int[][] {Einsum.identity(in.rank())}, Einsum.identity(in.rank()))
                .assignments(c.mesh)) {
            List<DimSharding> d = new ArrayList<>();
            for (int m : masks) {
                d.add(DimSharding.of(new MeshAxes(m)));
            }
            ShardingSpec from = new ShardingSpec(d, MeshAxes.NONE);
            ShardingSpec to = reshaped(from, in, op.shape(), c);
            if (to != null) {
                out.add(c.strategy(List.of(from), to, to, List.of()));
            }
        }
        return out;
    }

    /**
     * The output layout of a reshape, or null if a split does not survive it. Splitting input dimension
     * d into n blocks gives block index ⌊f / (p/n)⌋ mod n for flat index f, where p = stride·size of d
     * (its period); an output dimension with the same period and a size divisible by n has the same
     * block function, so the devices hold the same elements.
     */
    static ShardingSpec reshaped(ShardingSpec from, Shape in, Shape out, StrategyContext c) {
        long[] inStrides = in.strides();
        long[] outStrides = out.strides();
        DimSharding[] to = new DimSharding[out.rank()];
        Arrays.fill(to, DimSharding.R);
        for (int d = 0; d < in.rank(); d++) {
            DimSharding s = from.dim(d);
            if (!s.isSplit()) {
                continue;
            }
            long period = inStrides[d] * in.dim(d);
            int n = s.axes().size(c.mesh);
            int match = -1;
            for (int e = 0; e < out.rank(); e++) {
                if (out.dim(e) > 1 && outStrides[e] * out.dim(e) == period && out.dim(e) % n == 0) {
                    match = e;
                }
            }
            if (match < 0) {
                return null;
            }
            to[match] = s;
        }
        return ShardingSpec.of(to);
    }
}
