package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.SourceOp;
import java.util.List;

/**
 * Parameters, optimizer states, fed inputs and constants may be laid out any way that fits: a
 * variable is stored so between steps, an input is fed so by the data loader, a constant is filled
 * locally.
 */
final class SourceStrategies {
    private SourceStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, SourceOp op) {
        int r = c.output.rank();
        return c.einsum(Einsum.of(c.output.shape().dims(), new int[0][], Einsum.identity(r)));
    }
}
