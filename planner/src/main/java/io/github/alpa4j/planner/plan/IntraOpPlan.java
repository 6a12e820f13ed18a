package io.github.alpa4j.planner.plan;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.AlphaBetaModel;
import io.github.alpa4j.planner.cost.Liveness;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A strategy for every node of a graph on one mesh, with everything it implies: the resharding of
 * every edge whose producer's output differs from what the consumer reads, the objective the ILP
 * minimises, the predicted iteration time (compute plus communication, not overlapped), and the peak
 * memory per device over the step.
 *
 * @param method    {@code auto}, {@code dp}, {@code megatron} or {@code dp-megatron}
 * @param choices   index of each node's strategy in {@code space.of(node)}
 * @param objective Σ node costs + Σ resharding costs, in seconds, compute and once-per-iteration work counted as the options say
 * @param ilp       the ILP's size and timings, for automatic plans
 */
public record IntraOpPlan(String method, PlanStatus status, StrategySpace space, List<Integer> choices,
                          List<EdgeResharding> reshardings, double objective, double computeTime,
                          double communicationTime, long peakMemoryBytes, Optional<IlpStats> ilp) {
    public IntraOpPlan {
        choices = List.copyOf(choices);
        reshardings = List.copyOf(reshardings);
    }

    /** Costs the strategy choice {@code choice} (one index per node). */
    public static IntraOpPlan of(String method, PlanStatus status, StrategySpace space, int[] choice, Optional<IlpStats> ilp) {
        Graph g = space.graph();
        if (choice.length != g.size()) {
            throw new IllegalArgumentException("need one strategy per node: " + choice.length + " for " + g.size());
        }
        List<EdgeResharding> edges = new ArrayList<>();
        double objective = 0;
        double compute = 0;
        double comm = 0;
        for (Node n : g.nodes()) {
            ShardingStrategy s = space.of(n.id()).get(choice[n.id()]);
            objective += space.nodeCost(n.id(), s);
            compute += s.computeCost();
            comm += s.communicationCost();
            for (int k = 0; k < n.inputs().size(); k++) {
                int p = n.input(k);
                ShardingSpec from = space.of(p).get(choice[p]).outputSpec();
                if (!from.equals(s.inputSpec(k)) && !space.isFed(p)) {
                    Resharding r = Resharding.between(from, s.inputSpec(k), g.node(p).type(), space.mesh());
                    edges.add(new EdgeResharding(p, n.id(), k, r));
                    objective += space.reshardWeight(n.id()) * r.cost();
                    comm += r.cost();
                }
            }
        }
        List<Integer> c = new ArrayList<>();
        for (int x : choice) {
            c.add(x);
        }
        return new IntraOpPlan(method, status, space, c, edges, objective, compute, comm,
                peakMemory(space, choice), ilp);
    }

    private static long peakMemory(StrategySpace space, int[] choice) {
        long[] bytes = new long[choice.length];
        for (int n = 0; n < choice.length; n++) {
            bytes[n] = space.of(n).get(choice[n]).memoryBytes();
        }
        return Liveness.of(space.graph()).peakBytes(bytes);
    }

    public Graph graph() {
        return space.graph();
    }

    public DeviceMesh mesh() {
        return space.mesh();
    }

    public ShardingStrategy strategy(int node) {
        return space.of(node).get(choices.get(node));
    }

    /** Node {@code n}'s output layout. */
    public ShardingSpec outputSpec(int n) {
        return strategy(n).outputSpec();
    }

    /**
     * Peak bytes per device while the plan runs: {@link #peakMemoryBytes()} (the tensors it keeps,
     * which a memory budget constrains) plus the transient buffers of reshardings and of partial or
     * wider results, with reshapes sharing storage.
     */
    public long workingMemoryBytes() {
        return WorkingMemory.peak(this);
    }

    /** Seconds per training step: compute plus communication. */
    public double iterationTime() {
        return computeTime + communicationTime;
    }

    /** Every collective the plan implies, in graph order: each node's own, then the reshardings of its inputs. */
    public List<PlannedCollective> collectives() {
        AlphaBetaModel model = new AlphaBetaModel(mesh());
        List<PlannedCollective> out = new ArrayList<>();
        int e = 0;
        for (Node n : graph().nodes()) {
            while (e < reshardings.size() && reshardings.get(e).consumer() == n.id()) {
                EdgeResharding r = reshardings.get(e++);
                for (Collective c : r.resharding().collectives()) {
                    out.add(new PlannedCollective(n.id(), r.producer(), n.phase(), c, model.cost(c)));
                }
            }
            for (Collective c : strategy(n.id()).collectives()) {
                out.add(new PlannedCollective(n.id(), -1, n.phase(), c, model.cost(c)));
            }
        }
        return out;
    }
}
