package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.OptimizerOp;
import java.util.List;

/**
 * Optimizer updates are element-wise over a parameter's shape (the step counter is a scalar). They
 * follow their first input, the variable or state they update, so with follower merging a
 * parameter's update lives in the parameter's variable and keeps its layout between steps.
 */
final class OptimizerStrategies {
    private OptimizerStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, OptimizerOp op) {
        return c.einsum(ElementwiseStrategies.broadcasting(c.output.shape(),
                c.inputs.stream().map(t -> t.shape()).toList()));
    }

    static int leader(OptimizerOp op) {
        return 0;
    }
}
