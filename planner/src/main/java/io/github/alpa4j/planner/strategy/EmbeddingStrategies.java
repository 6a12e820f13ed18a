package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.EmbeddingOp;
import java.util.List;

/**
 * Embedding lookups as a contraction of one-hot ids with the table over the vocabulary V.
 * Batch-parallel: ids split, table replicated. Vocabulary-parallel (Megatron): the table split by
 * rows; each device looks up the ids it owns and writes zeros for the others, so the result is
 * partial over V's axes and all-reduced. The hidden dimension may be split as well. The gradient
 * scatters rows of dy into the table: splitting the ids' dimensions leaves partial sums, splitting
 * V makes each device add only the rows it owns.
 */
final class EmbeddingStrategies {
    private EmbeddingStrategies() {
    }

    static List<ShardingStrategy> enumerate(StrategyContext c, EmbeddingOp op) {
        int[] ids = c.input(0).shape().dims();
        int lead = ids.length;
        int v = lead;
        int h = lead + 1;
        int[] loops = new int[lead + 2];
        System.arraycopy(ids, 0, loops, 0, lead);
        int[] idLoops = Einsum.identity(lead);
        int[] withH = new int[lead + 1];
        System.arraycopy(idLoops, 0, withH, 0, lead);
        withH[lead] = h;
        return switch (op) {
            case EmbeddingOp.Embedding e -> {
                loops[v] = c.input(1).dim(0);
                loops[h] = c.input(1).dim(1);
                yield c.einsum(Einsum.of(loops, new int[][] {idLoops, {v, h}}, withH));
            }
            case EmbeddingOp.EmbeddingGrad g -> {
                loops[v] = g.vocab();
                loops[h] = c.input(1).dim(-1);
                yield c.einsum(Einsum.of(loops, new int[][] {idLoops, withH}, new int[] {v, h}));
            }
        };
    }
}
