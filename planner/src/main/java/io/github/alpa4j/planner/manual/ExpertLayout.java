package io.github.alpa4j.planner.manual;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * The expert weights of a graph and where DeepSpeed-MoE keeps them: a parameter of rank ≥ 3 that a
 * batched matmul multiplies (directly or through its cast to the compute type) holds one matrix per
 * expert along dimension 0, and is split there over the mesh axes the expert count divides.
 */
final class ExpertLayout {
    private final Graph graph;
    private final DeviceMesh mesh;
    private final boolean[] expertWeight;

    ExpertLayout(StrategySpace space) {
        this.graph = space.graph();
        this.mesh = space.mesh();
        this.expertWeight = new boolean[graph.size()];
        for (Node n : graph.nodes()) {
            if (n.op() instanceof MatmulOp.MatMul && graph.node(n.input(0)).type().rank() >= 3) {
                int w = weight(n.input(1));
                if (w >= 0 && graph.node(w).type().rank() >= 3) {
                    expertWeight[w] = true;
                }
            }
        }
    }

    boolean isExpertWeight(int node) {
        return expertWeight[node];
    }

    /** The parameter behind {@code node} (itself, or the parameter it casts), or -1. */
    private int weight(int node) {
        Node n = graph.node(node);
        if (n.isParameter()) {
            return node;
        }
        if (n.op() instanceof ElementwiseOp.Cast && graph.node(n.input(0)).isParameter()) {
            return n.input(0);
        }
        return -1;
    }

    /** Split by expert over both mesh axes if the expert count divides their product, else one (axis 1, then 0), else whole. */
    ShardingSpec split(int node) {
        int e = graph.node(node).type().dim(0);
        ShardingSpec r = ShardingSpec.replicated(graph.node(node).type().rank());
        for (MeshAxes axes : new MeshAxes[] {MeshAxes.BOTH, MeshAxes.AXIS1, MeshAxes.AXIS0}) {
            int n = axes.size(mesh);
            boolean eachSplits = !axes.contains(0) || mesh.size(0) > 1;
            eachSplits &= !axes.contains(1) || mesh.size(1) > 1;
            if (n > 1 && eachSplits && e % n == 0) {
                return r.withDim(0, DimSharding.of(axes));
            }
        }
        return r;
    }

    /** For a matmul with an expert weight operand: only strategies that read the weight as it is laid out. */
    Predicate<ShardingStrategy> readsWhereTheyLie(Node n, int[] choice, IntFunction<ShardingSpec> seen) {
        if (!(n.op() instanceof MatmulOp.MatMul)) {
            return s -> true;
        }
        for (int k = 0; k < n.inputs().size(); k++) {
            int w = weight(n.input(k));
            if (w >= 0 && expertWeight[w] && choice[n.input(k)] >= 0) {
                int slot = k;
                ShardingSpec lies = seen.apply(n.input(k));
                return s -> s.inputSpec(slot).equals(lies);
            }
        }
        return s -> true;
    }
}
