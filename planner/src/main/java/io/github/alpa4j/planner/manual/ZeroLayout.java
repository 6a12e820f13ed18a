package io.github.alpa4j.planner.manual;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ZeRO's layouts in a manual plan: each parameter stored further split over the data axes, on its first
 * dimension that divides (its gradient then ends in a reduce-scatter onto that split, as every gradient
 * ends in its parameter's layout); a cast of it gathering its copy back to the layout the plan without
 * ZeRO stores the parameter in.
 */
final class ZeroLayout {
    private final StrategySpace space;
    private final Graph graph;
    private final MeshAxes data;
    private final Map<Integer, ShardingSpec> unsharded = new HashMap<>();

    ZeroLayout(StrategySpace space, MeshAxes data) {
        this.space = space;
        this.graph = space.graph();
        this.data = data;
    }

    /** The layout parameter {@code p} is stored in instead of {@code spec}: split over the data axes where it divides. */
    ShardingSpec store(int p, ShardingSpec spec) {
        ShardingSpec z = spec;
        for (int axis = 0; axis < 2; axis++) {
            if (data.contains(axis) && !z.usedAxes().contains(axis)) {
                z = splitAlong(z, axis, p);
            }
        }
        ShardingSpec stored = z;
        if (!z.equals(spec) && space.of(p).stream().anyMatch(s -> s.outputSpec().equals(stored))) {
            unsharded.put(p, spec);
            return z;
        }
        return spec;
    }

    boolean stored(int node) {
        return unsharded.containsKey(node);
    }

    /** The layout a ZeRO-stored parameter would have without ZeRO. */
    ShardingSpec unsharded(int node) {
        return unsharded.get(node);
    }

    /** For a cast of a stored parameter, the strategy that reads it stored and gathers the copy; else {@code current}. */
    int castOfStored(Node n, int current, int[] choice) {
        if (!(n.op() instanceof ElementwiseOp.Cast) || !stored(n.input(0))) {
            return current;
        }
        ShardingSpec in = space.of(n.input(0)).get(choice[n.input(0)]).outputSpec();
        ShardingSpec out = unsharded(n.input(0));
        List<ShardingStrategy> own = space.of(n.id());
        for (int i = 0; i < own.size(); i++) {
            if (own.get(i).inputSpec(0).equals(in) && own.get(i).outputSpec().equals(out)) {
                return i;
            }
        }
        return current;
    }

    private ShardingSpec splitAlong(ShardingSpec spec, int axis, int p) {
        for (int d = 0; d < spec.rank(); d++) {
            DimSharding split = spec.dim(d).plusMinor(axis);
            if (split != null && spec.withDim(d, split).fits(graph.node(p).type().shape(), space.mesh())) {
                return spec.withDim(d, split);
            }
        }
        return spec;
    }
}
