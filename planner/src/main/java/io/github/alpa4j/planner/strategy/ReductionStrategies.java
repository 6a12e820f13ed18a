package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.ReductionOp;
import java.util.List;

/**
 * Sums and means keep their operand's layout on the kept dimensions; reducing a split dimension
 * leaves partial sums over its axes, resolved by an all-reduce (or a reduce-scatter onto a kept
 * dimension).
 */
final class ReductionStrategies {
    private ReductionStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, ReductionOp op) {
        int r = c.input(0).rank();
        int[] out = new int[c.output.rank()];
        int j = 0;
        for (int d = 0; d < r; d++) {
            if (!op.reduces(d)) {
                out[j++] = d;
            } else if (op.keepDims()) {
                out[j++] = -1;
            }
        }
        return c.einsum(Einsum.of(c.input(0).shape().dims(), new int[][] {Einsum.identity(r)}, out));
    }
}
