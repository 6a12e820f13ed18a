package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sharded optimizer states (ZeRO, Alpa's reduce-scatter pass) need no strategy of their own here: a
 * parameter (the f32 master weight) and its states may be stored split over the data axis like any
 * tensor, its update then follows that layout (each device updates its shard), and its gradient, a
 * partial sum over the data axis, ends in a reduce-scatter onto the same split. What the master weight's
 * readers need whole is all-gathered. In mixed precision its one reader is its cast to the compute type,
 * and this adds the casts that all-gather their low-precision copy where it is made: one all-gather of
 * half the bytes per step, the copy then read whole by the forward and backward products, as ZeRO
 * stages 1 and 2 gather the updated fp16 parameters once. (In fp32 the readers gather the master weight
 * each, as ZeRO stage 3 does.) The ILP weighs the all-gathers against the memory the shards save.
 */
final class ShardedMasterWeights {
    private ShardedMasterWeights() {
    }

    /**
     * For a cast of a parameter: each plain strategy whose output is split also with the cast copy
     * all-gathered where it is made, to every device or along one split's minor axis.
     */
    static List<ShardingStrategy> gathered(StrategyContext c, List<ShardingStrategy> plain) {
        Set<ShardingStrategy> all = new LinkedHashSet<>(plain);
        ShardingSpec whole = ShardingSpec.replicated(c.output.rank());
        for (ShardingStrategy st : plain) {
            ShardingSpec out = st.outputSpec();
            if (out.equals(whole)) {
                continue;
            }
            all.add(c.strategy(st.inputSpecs(), st.resultSpec(), whole, List.of()));
            // or gather one split's minor axis only (the data axis of a 2-D plan), keeping the rest split
            for (int d = 0; d < out.rank(); d++) {
                ShardingSpec partly = out.withDim(d, out.dim(d).withoutMinor());
                if (out.dim(d).isSplit() && !partly.equals(whole)) {
                    all.add(c.strategy(st.inputSpecs(), st.resultSpec(), partly, List.of()));
                }
            }
        }
        return List.copyOf(all);
    }
}
