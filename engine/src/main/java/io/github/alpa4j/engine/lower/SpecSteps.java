package io.github.alpa4j.engine.lower;

import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;

/** The layout a tensor has after one resharding step. */
final class SpecSteps {
    private SpecSteps() {
    }

    static ShardingSpec after(ShardingSpec s, ReshardStep step) {
        return switch (step) {
            case Collective.AllReduce a -> s.withPartial(s.partial().minus(a.axes()));
            case Collective.ReduceScatter r -> s.withPartial(s.partial().minus(r.axes())).withDim(r.dim(), plus(s.dim(r.dim()), r.axes()));
            case Collective.AllGather g -> s.withDim(g.dim(), minus(s.dim(g.dim()), g.axes()));
            case Collective.AllToAll t -> s.withDim(t.fromDim(), minus(s.dim(t.fromDim()), t.axes()))
                    .withDim(t.toDim(), plus(s.dim(t.toDim()), t.axes()));
            case ReshardStep.Slice c -> s.withDim(c.dim(), plus(s.dim(c.dim()), c.axes()));
        };
    }

    /** A split refined by {@code axes} as its minor axes (S0 + {1} = S01). */
    static DimSharding plus(DimSharding d, MeshAxes axes) {
        if (d.axes().intersects(axes) || (d == DimSharding.S1 && axes.contains(0))) {
            throw new IllegalArgumentException("cannot refine " + d + " by axes " + axes);
        }
        return DimSharding.of(d.axes().union(axes));
    }

    /** A split with its minor {@code axes} undone (S01 − {1} = S0). */
    static DimSharding minus(DimSharding d, MeshAxes axes) {
        if (!d.axes().union(axes).equals(d.axes()) || (d == DimSharding.S01 && axes.equals(MeshAxes.AXIS0))) {
            throw new IllegalArgumentException("cannot undo axes " + axes + " of " + d);
        }
        return DimSharding.of(d.axes().minus(axes));
    }
}
