package io.github.alpa4j.planner.ilp;

import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resharding costs between layouts numbered once per ILP, memoised: a model's layers use the same few
 * specs and types over and over, and comparing small integers is much cheaper than comparing specs
 * (which the edges of a large mesh would otherwise do millions of times).
 */
final class ReshardCosts {
    private final StrategySpace space;
    private final Map<ShardingSpec, Integer> specIds = new HashMap<>();
    private final List<ShardingSpec> specs = new ArrayList<>();
    private final Map<TensorType, Integer> typeIds = new HashMap<>();
    private final List<TensorType> types = new ArrayList<>();
    private final Map<Long, Double> memo = new HashMap<>();

    ReshardCosts(StrategySpace space) {
        this.space = space;
    }

    /** The number of {@code spec}: equal specs, equal numbers. */
    int spec(ShardingSpec spec) {
        return specIds.computeIfAbsent(spec, s -> {
            specs.add(s);
            return specs.size() - 1;
        });
    }

    int type(TensorType type) {
        return typeIds.computeIfAbsent(type, t -> {
            types.add(t);
            return types.size() - 1;
        });
    }

    /** The cost of resharding a value of type number {@code type} from spec number {@code from} to {@code to}. */
    double cost(int from, int to, int type) {
        if (from == to) {
            return 0;
        }
        long key = ((long) type << 42) | ((long) from << 21) | to;
        Double c = memo.get(key);
        if (c == null) {
            c = Resharding.between(specs.get(from), specs.get(to), types.get(type), space.mesh()).cost();
            memo.put(key, c);
        }
        return c;
    }
}
