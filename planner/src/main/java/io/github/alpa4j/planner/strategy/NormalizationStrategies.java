package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import java.util.List;

/**
 * Softmax and layer norm along unsplit dimensions (REFERENCES §1): the normalised last dimension is
 * never split, so each device normalises whole rows and needs no communication. A causal softmax also
 * keeps its query dimension whole, since its mask compares global query and key positions. The
 * gamma gradient sums over the leading dimensions, so splitting them leaves partial sums.
 */
final class NormalizationStrategies {
    private NormalizationStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, NormalizationOp op) {
        int[] dims = c.input(0).shape().dims();
        int r = dims.length;
        int last = r - 1;
        int[] all = Einsum.identity(r);
        int[] lastOnly = {last};
        return switch (op) {
            case NormalizationOp.Softmax s -> c.einsum(new Einsum(dims, splitUpTo(r, s.causal() ? r - 2 : r - 1),
                    new int[][] {all}, all));
            case NormalizationOp.SoftmaxGrad s -> c.einsum(new Einsum(dims, splitUpTo(r, r - 1),
                    new int[][] {all, all}, all));
            case NormalizationOp.LayerNorm l -> c.einsum(new Einsum(dims, splitUpTo(r, r - 1),
                    new int[][] {all, lastOnly, lastOnly}, all));
            case NormalizationOp.LayerNormGrad l -> c.einsum(new Einsum(dims, splitUpTo(r, r - 1),
                    new int[][] {all, lastOnly, all}, all));
            case NormalizationOp.LayerNormGammaGrad l -> c.einsum(new Einsum(dims, splitUpTo(r, r - 1),
                    new int[][] {all, all}, lastOnly));
        };
    }

    static int leader(NormalizationOp op, Node n, Graph g, int[] depth) {
        return switch (op) {
            case NormalizationOp.Softmax s -> 0;
            case NormalizationOp.LayerNorm l -> 0;
            case NormalizationOp.SoftmaxGrad s -> ElementwiseStrategies.deepest(n, g, depth);
            case NormalizationOp.LayerNormGrad l -> depth[n.input(2)] > depth[n.input(0)] ? 2 : 0;
            case NormalizationOp.LayerNormGammaGrad l -> -1;
        };
    }

    /** Loops [0, n) may be split, the rest not. */
    private static boolean[] splitUpTo(int rank, int n) {
        boolean[] s = new boolean[rank];
        for (int i = 0; i < Math.max(0, n); i++) {
            s[i] = true;
        }
        return s;
    }
}
