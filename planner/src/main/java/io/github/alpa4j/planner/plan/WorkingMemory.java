package io.github.alpa4j.planner.plan;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;

/**
 * Peak bytes per device of a plan as it runs, not only the tensors it keeps: besides every node's
 * output shard (Alpa's model, which the ILP's budget constrains), the copies its consumers read in
 * another layout, a result held in its partial or wider layout until it is reduced or sliced, and
 * an input fed in several layouts. A reshape shares its operand's storage. Steps are the nodes in
 * graph order, as the lowering runs them; a transient lives during its consumer's step.
 */
final class WorkingMemory {
    private WorkingMemory() {
    }

    static long peak(IntraOpPlan plan) {
        Graph g = plan.graph();
        DeviceMesh mesh = plan.mesh();
        int n = g.size();
        int[] owner = new int[n];
        int[] dies = new int[n];
        long[] delta = new long[n + 1];
        long[] atStep = new long[n];
        for (Node v : g.nodes()) {
            owner[v.id()] = v.op() instanceof LayoutOp.Reshape ? owner[v.input(0)] : v.id();
            dies[owner[v.id()]] = Math.max(dies[owner[v.id()]], v.isVariable() ? n - 1 : v.id());
            for (int in : v.inputs()) {
                dies[owner[in]] = Math.max(dies[owner[in]], v.id());
            }
        }
        g.outputs().values().forEach(o -> dies[owner[o]] = n - 1);
        g.updates().forEach(u -> dies[owner[u.value()]] = n - 1);
        for (Node v : g.nodes()) {
            ShardingStrategy s = plan.strategy(v.id());
            TensorType t = v.type();
            if (owner[v.id()] == v.id()) {
                int born = v.isVariable() || v.op() instanceof SourceOp.Input ? 0 : v.id();
                delta[born] += bytes(s.outputSpec(), t, mesh);
                delta[dies[v.id()] + 1] -= bytes(s.outputSpec(), t, mesh);
            }
            if (!v.isSource() && !s.resultSpec().equals(s.outputSpec()) && !onlyAllReduces(s, t, mesh)) {
                atStep[v.id()] += bytes(s.resultSpec(), t, mesh);
            }
            for (int k = 0; k < v.inputs().size(); k++) {
                int p = v.input(k);
                ShardingSpec from = plan.outputSpec(p);
                ShardingSpec to = s.inputSpec(k);
                if (from.equals(to)) {
                    continue;
                }
                long copy = bytes(to, g.node(p).type(), mesh);
                if (plan.space().isFed(p)) {
                    delta[0] += copy; // fed with the batch, read at this step
                    delta[v.id() + 1] -= copy;
                } else {
                    atStep[v.id()] += copy + largestIntermediate(from, to, g.node(p).type(), mesh);
                }
            }
        }
        long live = 0;
        long peak = 0;
        for (int step = 0; step < n; step++) {
            live += delta[step];
            peak = Math.max(peak, live + atStep[step]);
        }
        return peak;
    }

    private static long bytes(ShardingSpec spec, TensorType t, DeviceMesh mesh) {
        return spec.localBytes(t, mesh);
    }

    /** True if the result becomes the output by in-place all-reduces alone (no second buffer). */
    private static boolean onlyAllReduces(ShardingStrategy s, TensorType t, DeviceMesh mesh) {
        return Resharding.between(s.resultSpec(), s.outputSpec(), t, mesh).steps().stream()
                .allMatch(x -> x instanceof Collective.AllReduce);
    }

    /** The biggest buffer a multi-step resharding makes before its last step. */
    private static long largestIntermediate(ShardingSpec from, ShardingSpec to, TensorType t, DeviceMesh mesh) {
        Resharding r = Resharding.between(from, to, t, mesh);
        long largest = 0;
        long elementBytes = t.dtype().bytes();
        for (int i = 0; i < r.steps().size() - 1; i++) {
            ReshardStep step = r.steps().get(i);
            if (step instanceof Collective.AllGather gather) {
                largest = Math.max(largest, gather.bytes());
            } else if (step instanceof Collective.AllToAll a) {
                largest = Math.max(largest, a.bytes());
            } else if (step instanceof Collective.ReduceScatter rs) {
                largest = Math.max(largest, rs.bytes() / Math.max(1, rs.axes().size(mesh)));
            } else if (step instanceof ReshardStep.Slice) {
                largest = Math.max(largest, elementBytes);
            }
        }
        return largest;
    }
}
