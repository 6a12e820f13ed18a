package io.github.alpa4j.planner.cost;

import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps that turn a tensor laid out as {@code from} into {@code to}, and their alpha-beta cost.
 * Partial sums are reduced first (reduce-scatter where the target splits a dimension over that axis,
 * else all-reduce); then splits that the target does not continue are undone, by all-to-all when the
 * axis moves to another dimension, by all-gather otherwise; finally missing splits are local slices.
 * The steps are exact: executing them on every device yields the target shards.
 */
public record Resharding(ShardingSpec from, ShardingSpec to, List<ReshardStep> steps, double cost) {
    public Resharding {
        steps = List.copyOf(steps);
    }

    public List<Collective> collectives() {
        return steps.stream().filter(s -> s instanceof Collective).map(s -> (Collective) s).toList();
    }

    public static Resharding between(ShardingSpec from, ShardingSpec to, TensorType type, DeviceMesh mesh) {
        if (to.isPartial() || from.rank() != type.rank() || to.rank() != type.rank()) {
            throw new IllegalArgumentException("cannot reshard " + from + " to " + to + " for " + type);
        }
        return new Planner(from, type, mesh).run(to);
    }

    /** Walks the current layout towards the target, recording steps. */
    private static final class Planner {
        private final DimSharding[] cur;
        private final MeshAxes partial;
        private final Shape shape;
        private final int elementBytes;
        private final DeviceMesh mesh;
        private final ShardingSpec from;
        private final List<ReshardStep> steps = new ArrayList<>();
        private long localElements;

        Planner(ShardingSpec from, TensorType type, DeviceMesh mesh) {
            this.from = from;
            this.cur = from.dims().toArray(new DimSharding[0]);
            this.partial = from.partial();
            this.shape = type.shape();
            this.elementBytes = type.dtype().bytes();
            this.mesh = mesh;
            this.localElements = from.localElements(shape, mesh);
        }

        Resharding run(ShardingSpec to) {
            reducePartials(to);
            for (int d = 0; d < cur.length; d++) {
                while (!cur[d].isPrefixOf(to.dim(d))) {
                    undoMinor(d, to);
                }
            }
            for (int d = 0; d < cur.length; d++) {
                while (cur[d] != to.dim(d)) {
                    int x = cur[d].nextAxisTowards(to.dim(d));
                    cur[d] = cur[d].plusMinor(x);
                    localElements /= mesh.size(x);
                    add(new ReshardStep.Slice(MeshAxes.of(x), d));
                }
            }
            AlphaBetaModel model = new AlphaBetaModel(mesh);
            double cost = 0;
            for (ReshardStep s : steps) {
                if (s instanceof Collective c) {
                    cost += model.cost(c);
                }
            }
            return new Resharding(from, to, steps, cost);
        }

        private void reducePartials(ShardingSpec to) {
            MeshAxes allReduce = MeshAxes.NONE;
            for (int x = 0; x < 2; x++) {
                if (!partial.contains(x)) {
                    continue;
                }
                int d = to.dimOf(x);
                DimSharding next = d < 0 ? null : cur[d].plusMinor(x);
                if (next != null && next.isPrefixOf(to.dim(d))) {
                    add(new Collective.ReduceScatter(MeshAxes.of(x), d, localElements * elementBytes));
                    cur[d] = next;
                    localElements /= mesh.size(x);
                } else {
                    allReduce = allReduce.union(MeshAxes.of(x));
                }
            }
            if (!allReduce.isEmpty()) {
                add(new Collective.AllReduce(allReduce, localElements * elementBytes, Collective.ReduceOp.SUM));
            }
        }

        private void undoMinor(int d, ShardingSpec to) {
            int x = cur[d].minorAxis();
            int d2 = to.dimOf(x);
            DimSharding moved = d2 < 0 || d2 == d ? null : cur[d2].plusMinor(x);
            cur[d] = cur[d].withoutMinor();
            if (moved != null && moved.isPrefixOf(to.dim(d2))) {
                cur[d2] = moved;
                add(new Collective.AllToAll(MeshAxes.of(x), d, d2, localElements * elementBytes));
            } else {
                localElements *= mesh.size(x);
                add(new Collective.AllGather(MeshAxes.of(x), d, localElements * elementBytes));
            }
        }

        /** Appends a step, fusing it with the previous one when both act on the same dimension the same way over the other axis. */
        private void add(ReshardStep s) {
            ReshardStep last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
            ReshardStep fused = switch (s) {
                case Collective.ReduceScatter r when last instanceof Collective.ReduceScatter p && p.dim() == r.dim() ->
                        new Collective.ReduceScatter(p.axes().union(r.axes()), r.dim(), p.bytes());
                case Collective.AllGather g when last instanceof Collective.AllGather p && p.dim() == g.dim() ->
                        new Collective.AllGather(p.axes().union(g.axes()), g.dim(), g.bytes());
                case ReshardStep.Slice c when last instanceof ReshardStep.Slice p && p.dim() == c.dim() ->
                        new ReshardStep.Slice(p.axes().union(c.axes()), c.dim());
                default -> null;
            };
            if (fused != null) {
                steps.set(steps.size() - 1, fused);
            } else {
                steps.add(s);
            }
        }
    }
}
