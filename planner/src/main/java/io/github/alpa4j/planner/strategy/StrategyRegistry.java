package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.SourceOp;
import java.util.List;

/**
 * The one place that maps an op family to its strategy rule and to the input it follows. The
 * switches are exhaustive over the sealed op families, so a new family does not compile until it
 * has a rule here.
 */
final class StrategyRegistry {
    private StrategyRegistry() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c) {
        return switch (c.node.op()) {
            case SourceOp s -> SourceStrategies.enumerate(c, s);
            case MatmulOp m -> MatmulStrategies.enumerate(c, m);
            case ElementwiseOp e -> ElementwiseStrategies.enumerate(c, e);
            case LayoutOp l -> LayoutStrategies.enumerate(c, l);
            case ReductionOp r -> ReductionStrategies.enumerate(c, r);
            case NormalizationOp n -> NormalizationStrategies.enumerate(c, n);
            case EmbeddingOp e -> EmbeddingStrategies.enumerate(c, e);
            case LossOp l -> LossStrategies.enumerate(c, l);
            case OptimizerOp o -> OptimizerStrategies.enumerate(c, o);
            case PatchOp p -> PatchStrategies.enumerate(c, p);
            case RoutingOp r -> RoutingStrategies.enumerate(c, r);
        };
    }

    /**
     * The input slot whose producer this node follows, or -1. A follower's strategy is picked from its
     * leader's: the one that reads the leader's output as it is, else the cheapest given it.
     * Reductions are not followers: their all-reduce and reduce-scatter endings are a real choice.
     */
    static int leader(Node n, Graph g, int[] depth) {
        return switch (n.op()) {
            case SourceOp s -> -1;
            case MatmulOp m -> -1;
            case ElementwiseOp e -> ElementwiseStrategies.leader(e, n, g, depth);
            case LayoutOp l -> LayoutStrategies.leader(l);
            case ReductionOp r -> -1;
            case NormalizationOp o -> NormalizationStrategies.leader(o, n, g, depth);
            case EmbeddingOp e -> -1;
            case LossOp l -> LossStrategies.leader(l, n, g, depth);
            case OptimizerOp o -> OptimizerStrategies.leader(o);
            case PatchOp p -> 0;
            case RoutingOp r -> 0;
        };
    }
}
