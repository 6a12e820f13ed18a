package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.MatmulOp;
import java.util.List;

/**
 * Alpa's matmul table (REFERENCES §1) as one loop nest over batch dimensions b, rows i, contraction
 * k and columns j: each mesh axis goes to one of them or to none, so every row of the table comes
 * out, for both orders of the mesh axes, on 1-D and 2-D meshes: SS = SR x RS (i and j split), SR = SS
 * x SR (i and k, all-reduce over k's axis), RS = RS x SS, Sb, SbSi, SbSj, SbR (batch and k), and the
 * S01 forms with one dimension over both axes. The broadcast form [.., m, k] x [k, n] treats A's
 * leading dimensions as further row loops that B does not have.
 */
final class MatmulStrategies {
    private MatmulStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, MatmulOp op) {
        return switch (op) {
            case MatmulOp.MatMul m -> matmul(c, m);
        };
    }

    private static List<ShardingStrategy> matmul(StrategyContext c, MatmulOp.MatMul op) {
        int ra = c.input(0).rank();
        int lead = ra - 2;
        boolean batchedB = c.input(1).rank() == ra;
        int m = lead;
        int k = lead + 1;
        int n = lead + 2;
        int[] loops = new int[lead + 3];
        for (int l = 0; l < lead; l++) {
            loops[l] = c.input(0).dim(l);
        }
        loops[m] = op.m(c.inputs);
        loops[k] = op.k(c.inputs);
        loops[n] = op.n(c.inputs);
        int[] a = new int[ra];
        int[] b = new int[batchedB ? ra : 2];
        int[] out = new int[ra];
        for (int l = 0; l < lead; l++) {
            a[l] = l;
            out[l] = l;
            if (batchedB) {
                b[l] = l;
            }
        }
        a[ra - 2] = op.transA() ? k : m;
        a[ra - 1] = op.transA() ? m : k;
        b[b.length - 2] = op.transB() ? n : k;
        b[b.length - 1] = op.transB() ? k : n;
        out[ra - 2] = m;
        out[ra - 1] = n;
        Einsum e = Einsum.of(loops, new int[][] {a, b}, out);
        // Alpa's convention: with compute free, a fully replicated matmul would look free too; forbid it
        boolean forbidReplicated = c.options.zeroComputeCost() && c.mesh.deviceCount() > 1
                && e.assignments(c.mesh).stream().anyMatch(Einsum::anySplit);
        return c.einsum(e, masks -> !forbidReplicated || Einsum.anySplit(masks), masks -> List.of());
    }
}
