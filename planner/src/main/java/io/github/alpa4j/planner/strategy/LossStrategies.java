package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.Collective.ReduceOp;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Losses. Splitting the positions leaves each device a partial mean, all-reduced to the scalar loss.
 * Vocabulary-parallel cross entropy (Megatron's): with the logits split along V, each row's softmax
 * needs the row maximum (all-reduce MAX), the sum of exponentials and the target logit (two SUM
 * all-reduces) over V's axes; its gradient needs the first two. Each all-reduce carries one f32 per
 * local row.
 */
final class LossStrategies {
    private LossStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, LossOp op) {
        int[] logits = c.input(0).shape().dims();
        int r = logits.length;
        int[] all = Einsum.identity(r);
        int[] lead = Einsum.identity(Math.max(0, r - 1));
        return switch (op) {
            case LossOp.CrossEntropy ce -> crossEntropy(c, Einsum.of(logits, new int[][] {all, lead}, new int[0]));
            case LossOp.CrossEntropyGrad g -> c.einsum(Einsum.of(logits, new int[][] {all, lead, {}}, all),
                    masks -> true, masks -> vocabParallel(c, logits, masks, false));
            case LossOp.MseLoss m -> c.einsum(Einsum.of(logits, new int[][] {all, all}, new int[0]));
        };
    }

    static int leader(LossOp op, Node n, Graph g, int[] depth) {
        return switch (op) {
            case LossOp.CrossEntropy ce -> 0;
            case LossOp.CrossEntropyGrad ce -> 0;
            case LossOp.MseLoss m -> ElementwiseStrategies.deepest(n, g, depth);
        };
    }

    /** After the V all-reduces every device of a V group holds whole rows: the loss is partial only over the rows' axes. */
    private static List<ShardingStrategy> crossEntropy(StrategyContext c, Einsum e) {
        int v = e.loops().length - 1;
        List<ShardingStrategy> out = new ArrayList<>();
        for (int[] masks : e.assignments(c.mesh)) {
            ShardingSpec result = e.resultSpec(masks);
            result = result.withPartial(result.partial().minus(new MeshAxes(masks[v])));
            out.addAll(c.resolve(List.of(e.inputSpec(0, masks), e.inputSpec(1, masks)), result,
                    vocabParallel(c, e.loops(), masks, true)));
        }
        return out;
    }

    private static List<Collective> vocabParallel(StrategyContext c, int[] logits, int[] masks, boolean loss) {
        int v = logits.length - 1;
        if (masks[v] == 0) {
            return List.of();
        }
        MeshAxes axes = new MeshAxes(masks[v]);
        long rows = 1;
        for (int d = 0; d < v; d++) {
            rows *= logits[d] / new MeshAxes(masks[d]).size(c.mesh);
        }
        List<Collective> out = new ArrayList<>();
        out.add(c.rowAllReduce(rows, axes, ReduceOp.MAX));
        out.add(c.rowAllReduce(rows, axes, ReduceOp.SUM));
        if (loss) {
            out.add(c.rowAllReduce(rows, axes, ReduceOp.SUM));
        }
        return out;
    }
}
