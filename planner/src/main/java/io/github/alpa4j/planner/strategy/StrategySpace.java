package io.github.alpa4j.planner.strategy;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strategies of every node of a graph on one mesh, and the input each node follows.
 *
 * @param leaders        for each node, the input slot it follows (Alpa's follower), or -1
 * @param yieldsGradient for each node, whether it is a parameter's gradient (its collectives run once per iteration)
 */
public record StrategySpace(Graph graph, DeviceMesh mesh, PlannerOptions options,
                            List<List<ShardingStrategy>> strategies, int[] leaders, boolean[] yieldsGradient) {
    public StrategySpace {
        strategies = List.copyOf(strategies);
    }

    /**
     * Enumerates strategies for the live part of {@code g} ({@link DeadCodeElimination}): the
     * space's graph, and so a plan's, has no node that reaches no output, gradient or update.
     */
    public static StrategySpace enumerate(Graph g, DeviceMesh mesh, PlannerOptions options) {
        Graph graph = DeadCodeElimination.apply(g);
        int[] depth = new int[graph.size()];
        int[] leaders = new int[graph.size()];
        List<List<ShardingStrategy>> all = new ArrayList<>(graph.size());
        // strategies depend only on the op, its types and whether it reads a parameter; repeated layers share them
        Map<List<Object>, List<ShardingStrategy>> byLabel = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (int in : n.inputs()) {
                depth[n.id()] = Math.max(depth[n.id()], depth[in] + 1);
            }
            boolean readsParameter = !n.inputs().isEmpty() && graph.node(n.input(0)).isParameter();
            List<ShardingStrategy> s = byLabel.computeIfAbsent(List.of(n.op(), graph.inputTypes(n), n.type(), readsParameter),
                    k -> List.copyOf(StrategyRegistry.enumerate(new StrategyContext(graph, n, mesh, options))));
            if (s.isEmpty()) {
                throw new IllegalStateException("no strategy for " + n + " on mesh " + mesh);
            }
            all.add(s);
            leaders[n.id()] = StrategyRegistry.leader(n, graph, depth);
        }
        boolean[] gradient = new boolean[graph.size()];
        graph.gradients().values().forEach(d -> gradient[d] = true);
        return new StrategySpace(graph, mesh, options, all, leaders, gradient);
    }

    public List<ShardingStrategy> of(int node) {
        return strategies.get(node);
    }

    /**
     * Strategy {@code s}'s cost at {@code node} as the objective counts it: communication, plus compute
     * unless compute is free; what runs once per iteration (an update node, a value computed from variables
     * alone such as a weight's cast; the collectives of a node yielding a gradient) weighted by
     * {@link PlannerOptions#iterationWeight()}.
     */
    public double nodeCost(int node, ShardingStrategy s) {
        double compute = options.zeroComputeCost() ? 0 : s.computeCost();
        double w = options.iterationWeight();
        if (graph.node(node).phase() == Phase.UPDATE || graph.perIteration(node)) {
            return w * (compute + s.communicationCost());
        }
        return compute + (yieldsGradient[node] ? w : 1) * s.communicationCost();
    }

    /** The weight of resharding an input of {@code consumer}: an update runs once per iteration. */
    public double reshardWeight(int consumer) {
        return graph.node(consumer).phase() == Phase.UPDATE || graph.perIteration(consumer) ? options.iterationWeight() : 1;
    }

    /**
     * The strategy a follower takes when its leader (input {@code slot}) outputs {@code leaderOutput}:
     * the cheapest that reads it as it is, or if none does, the cheapest including the resharding.
     */
    public int follow(int node, int slot, ShardingSpec leaderOutput) {
        List<ShardingStrategy> own = of(node);
        int best = -1;
        for (int j = 0; j < own.size(); j++) {
            if (own.get(j).inputSpec(slot).equals(leaderOutput)
                    && (best < 0 || nodeCost(node, own.get(j)) < nodeCost(node, own.get(best)))) {
                best = j;
            }
        }
        if (best >= 0) {
            return best;
        }
        int producer = graph.node(node).input(slot);
        TensorType t = graph.node(producer).type();
        double bestCost = Double.POSITIVE_INFINITY;
        for (int j = 0; j < own.size(); j++) {
            double c = nodeCost(node, own.get(j)) + (isFed(producer) ? 0
                    : reshardWeight(node) * Resharding.between(leaderOutput, own.get(j).inputSpec(slot), t, mesh).cost());
            if (c < bestCost) {
                best = j;
                bestCost = c;
            }
        }
        return best;
    }

    /**
     * True if {@code node} is fed by the data loader (an input): it hands each consumer the layout
     * that consumer reads, so edges out of it cost nothing and move nothing between devices.
     */
    public boolean isFed(int node) {
        return graph.node(node).op() instanceof io.github.alpa4j.ir.SourceOp.Input;
    }

    public int strategyCount() {
        return strategies.stream().mapToInt(List::size).sum();
    }
}
