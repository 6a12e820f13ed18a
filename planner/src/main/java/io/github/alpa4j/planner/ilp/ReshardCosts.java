package io.github.alpa4j.planner.ilp;

import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.HashMap;
import java.util.Map;

/** Resharding costs, memoised: the same few specs and types recur across a model's layers. */
final class ReshardCosts {
    private record Key(ShardingSpec from, ShardingSpec to, TensorType type) {
    }

    private final StrategySpace space;
    private final Map<Key, Double> memo = new HashMap<>();

    ReshardCosts(StrategySpace space) {
        this.space = space;
    }

    double cost(ShardingSpec from, ShardingSpec to, TensorType type) {
        if (from.equals(to)) {
            return 0;
        }
        return memo.computeIfAbsent(new Key(from, to, type),
                k -> Resharding.between(from, to, type, space.mesh()).cost());
    }
}
