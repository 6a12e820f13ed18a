package io.github.alpa4j.planner.plan;

import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text a user reads: one row per node (op, shape, chosen strategy, compute and communication
 * cost, resharding of its inputs included), the objective and predicted iteration time, and the
 * collectives the plan implies, summed by phase, kind and mesh axes, then one by one.
 */
public final class PlanReport {
    private PlanReport() {
    }

    public static String render(IntraOpPlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s %-40s %-22s %-18s %-34s %12s %12s%n",
                "node", "name", "op", "shape", "strategy", "compute", "comm"));
        double[] reshardIn = new double[plan.graph().size()];
        for (EdgeResharding e : plan.reshardings()) {
            reshardIn[e.consumer()] += e.resharding().cost();
        }
        for (Node n : plan.graph().nodes()) {
            ShardingStrategy s = plan.strategy(n.id());
            sb.append(String.format(Locale.ROOT, "%-6s %-40s %-22s %-18s %-34s %12s %12s%n",
                    "%" + n.id(), clip(n.name(), 40), clip(n.op().opName(), 22), n.type().toString(),
                    clip(s.name(), 34), Units.seconds(s.computeCost()), Units.seconds(s.communicationCost() + reshardIn[n.id()])));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "plan:            %s on mesh %s (%s)%n", plan.method(), plan.mesh(), plan.status()));
        sb.append(String.format(Locale.ROOT, "objective:       %s%s%n", Units.seconds(plan.objective()),
                plan.space().options().zeroComputeCost() ? " (communication only: compute counted as zero)" : ""));
        sb.append(String.format(Locale.ROOT, "iteration time:  %s (compute %s + communication %s)%n",
                Units.seconds(plan.iterationTime()), Units.seconds(plan.computeTime()), Units.seconds(plan.communicationTime())));
        sb.append(String.format(Locale.ROOT, "peak memory:     %s per device kept; %s as run (transient buffers counted, reshapes share storage)%n",
                Units.bytes(plan.peakMemoryBytes()), Units.bytes(plan.workingMemoryBytes())));
        plan.ilp().ifPresent(i -> sb.append(String.format(Locale.ROOT,
                "ILP:             %d nodes, %d strategies -> %d groups (merged) -> %d variables, %d edges (tied)"
                        + " -> %d variables, %d edges (eliminated); solver %d variables, %d constraints;"
                        + " build %.3f s, solve %.3f s%n",
                i.graphNodes(), i.strategies(), i.groups(), i.variables(), i.edges(), i.reducedVariables(), i.reducedEdges(),
                i.boolVars(), i.constraints(), i.buildSeconds(), i.solveSeconds())));
        sb.append('\n').append("collectives implied by the plan:\n");
        Map<String, double[]> sums = new TreeMap<>();
        for (PlannedCollective c : plan.collectives()) {
            String key = String.format(Locale.ROOT, "%-9s %-15s axes %-3s", c.phase().name().toLowerCase(Locale.ROOT),
                    c.collective().kind(), c.collective().axes());
            double[] v = sums.computeIfAbsent(key, k -> new double[3]);
            v[0]++;
            v[1] += c.collective().bytes();
            v[2] += c.cost();
        }
        if (sums.isEmpty()) {
            sb.append("  none\n");
        }
        sums.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s  x%-5d %12s %12s%n", k, (long) v[0],
                Units.bytes((long) v[1]), Units.seconds(v[2]))));
        for (PlannedCollective c : plan.collectives()) {
            Node n = plan.graph().node(c.node());
            String site = c.isResharding()
                    ? "reshard %" + c.producer() + " for %" + c.node()
                    : "%" + c.node() + " " + n.op().opName();
            sb.append(String.format(Locale.ROOT, "  %-9s %-36s %s%n", n.phase().name().toLowerCase(Locale.ROOT), site,
                    describe(c.collective(), c.cost())));
        }
        return sb.toString();
    }

    static String describe(Collective c, double cost) {
        String where = switch (c) {
            case Collective.AllReduce r -> r.op().name().toLowerCase(Locale.ROOT);
            case Collective.AllGather g -> "dim " + g.dim();
            case Collective.ReduceScatter r -> "dim " + r.dim();
            case Collective.AllToAll a -> "dim " + a.fromDim() + " -> " + a.toDim();
        };
        return String.format(Locale.ROOT, "%s over axes %s (%s), %s, %s", c.kind(), c.axes(), where,
                Units.bytes(c.bytes()), Units.seconds(cost));
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
