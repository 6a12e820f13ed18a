package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.AlphaBetaModel;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** What a strategy rule sees of one node, and the costing every rule shares. */
final class StrategyContext {
    final Node node;
    final List<TensorType> inputs;
    final TensorType output;
    final DeviceMesh mesh;
    final PlannerOptions options;
    /** Whether the node's first input is a parameter (a master weight, for a cast). */
    final boolean readsParameter;
    private final AlphaBetaModel model;

    StrategyContext(Graph graph, Node node, DeviceMesh mesh, PlannerOptions options) {
        this.node = node;
        this.readsParameter = !node.inputs().isEmpty() && graph.node(node.input(0)).isParameter();
        this.inputs = graph.inputTypes(node);
        this.output = node.type();
        this.mesh = mesh;
        this.options = options;
        this.model = new AlphaBetaModel(mesh);
    }

    TensorType input(int i) {
        return inputs.get(i);
    }

    /** One strategy per assignment of mesh axes to the loops of {@code e}. */
    List<ShardingStrategy> einsum(Einsum e) {
        return einsum(e, masks -> true, masks -> List.of());
    }

    /**
     * As {@link #einsum(Einsum)}, for the assignments {@code keep} accepts, with the collectives the
     * computation itself needs under each assignment.
     */
    List<ShardingStrategy> einsum(Einsum e, Predicate<int[]> keep, Function<int[], List<Collective>> internal) {
        List<ShardingStrategy> out = new ArrayList<>();
        for (int[] masks : e.assignments(mesh)) {
            if (!keep.test(masks)) {
                continue;
            }
            List<ShardingSpec> in = new ArrayList<>();
            for (int i = 0; i < e.inputs().length; i++) {
                in.add(e.inputSpec(i, masks));
            }
            out.addAll(resolve(in, e.resultSpec(masks), internal.apply(masks)));
        }
        return out;
    }

    /**
     * Strategies that end a computation with result {@code result}: a non-partial result is the
     * output; a partial one is all-reduced, or (with reduce-scatter enabled) reduce-scattered onto
     * one output dimension.
     */
    List<ShardingStrategy> resolve(List<ShardingSpec> in, ShardingSpec result, List<Collective> internal) {
        List<ShardingStrategy> out = new ArrayList<>();
        ShardingSpec whole = result.withPartial(MeshAxes.NONE);
        out.add(strategy(in, result, whole, internal));
        if (result.isPartial() && options.reduceScatter()) {
            for (int d = 0; d < result.rank(); d++) {
                DimSharding s = result.dim(d);
                for (int x = 0; x < 2 && s != null; x++) {
                    if (result.partial().contains(x)) {
                        s = s.plusMinor(x);
                    }
                }
                if (s != null) {
                    ShardingSpec scattered = whole.withDim(d, s);
                    if (scattered.fits(output.shape(), mesh)) {
                        out.add(strategy(in, result, scattered, internal));
                    }
                }
            }
        }
        return out;
    }

    ShardingStrategy strategy(List<ShardingSpec> in, ShardingSpec result, ShardingSpec out, List<Collective> internal) {
        List<Collective> collectives = new ArrayList<>(internal);
        collectives.addAll(Resharding.between(result, out, output, mesh).collectives());
        double comm = 0;
        for (Collective c : collectives) {
            comm += model.cost(c);
        }
        // the op on this device's shards: every axis that splits an operand or the result divides the work
        List<TensorType> local = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            local.add(localType(inputs.get(i), in.get(i)));
        }
        double compute = mesh.gpu().cost().seconds(node.op(), local, localType(output, result));
        return new ShardingStrategy(in, result, out, collectives, compute, comm, out.localBytes(output, mesh));
    }

    /** A rows-sized all-reduce (per-row statistics of a vocabulary-parallel softmax) over {@code axes}. */
    Collective rowAllReduce(long rows, MeshAxes axes, Collective.ReduceOp op) {
        return new Collective.AllReduce(axes, rows * DType.F32.bytes(), op);
    }

    private TensorType localType(TensorType global, ShardingSpec spec) {
        return global.shape().rank() == 0 ? global : global.withShape(Shape.of(spec.localDims(global.shape(), mesh)));
    }
}
