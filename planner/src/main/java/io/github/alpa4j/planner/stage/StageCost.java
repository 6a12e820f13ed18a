package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.planner.plan.EdgeResharding;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import java.util.HashSet;
import java.util.Set;

/**
 * What a stage's intra-op plan costs in a pipeline, per device. Forward and backward time are per
 * microbatch (compute plus communication, reshardings charged to the node that reads). The update time
 * is paid once per iteration, after the gradients of all microbatches are summed: the optimizer update
 * itself, and the collectives of each node that yields a parameter's gradient (all-reduce or
 * reduce-scatter of partial sums: linear, so they commute with the sum over microbatches, as in Alpa's
 * and Megatron's gradient accumulation); and, before the first microbatch, the values computed from
 * variables alone ({@link io.github.alpa4j.ir.Graph#perIteration}: weights cast to the compute type,
 * gathered once where ZeRO shards them), which are held once, not per microbatch.
 *
 * <p>Memory under a schedule that holds n microbatches: the plan's peak for one microbatch (by the cost
 * model's liveness) + (n − 1) x the activations of a microbatch (forward values a backward node reads,
 * stashed from its forward pass to its backward pass). {@link #then} adds two stages' peaks and
 * activations (a bound: their transient peaks need not coincide); the stage DP's layer ranges take
 * instead the exact peak and activations of their layers' plans side by side, by liveness over the
 * range's graph.
 */
public record StageCost(double forwardSeconds, double backwardSeconds, double updateSeconds,
                        long peakBytes, long activationBytes) {

    /** Forward plus backward time of one microbatch: the t_i of the pipeline formula. */
    public double microbatchSeconds() {
        return forwardSeconds + backwardSeconds;
    }

    /** Bytes per device when the stage holds {@code inflight} microbatches of activations. */
    public long memoryBytes(int inflight) {
        return peakBytes + (inflight - 1) * activationBytes;
    }

    /** The costs of {@code plan}'s stage. */
    public static StageCost of(IntraOpPlan plan) {
        Graph g = plan.graph();
        Set<Integer> gradients = new HashSet<>(g.gradients().values());
        double[] byPhase = new double[3];
        double update = 0;
        long activations = 0;
        for (Node n : g.nodes()) {
            ShardingStrategy s = plan.strategy(n.id());
            if (g.perIteration(n.id())) {
                update += s.computeCost() + s.communicationCost(); // once per iteration, before the first microbatch
                continue;
            }
            if (gradients.contains(n.id()) && n.phase() != Phase.UPDATE) {
                byPhase[n.phase().ordinal()] += s.computeCost();
                update += s.communicationCost();
            } else {
                byPhase[n.phase().ordinal()] += s.computeCost() + s.communicationCost();
            }
            if (stashed(g, n)) {
                activations += s.memoryBytes();
            }
        }
        for (EdgeResharding e : plan.reshardings()) {
            if (g.perIteration(e.consumer())) {
                update += e.resharding().cost();
            } else {
                byPhase[g.node(e.consumer()).phase().ordinal()] += e.resharding().cost();
            }
        }
        update += byPhase[Phase.UPDATE.ordinal()];
        return new StageCost(byPhase[Phase.FORWARD.ordinal()], byPhase[Phase.BACKWARD.ordinal()], update,
                plan.peakMemoryBytes(), activations);
    }

    /**
     * Whether {@code n} is an activation: a forward value of each microbatch a backward node reads, held from one
     * pass to the other (not a value computed once per iteration, such as a weight cast to the compute type).
     */
    static boolean stashed(Graph g, Node n) {
        return !n.isVariable() && !g.perIteration(n.id()) && n.phase() == Phase.FORWARD && !(n.op() instanceof SourceOp.Constant)
                && g.users(n.id()).stream().anyMatch(u -> g.node(u).phase() == Phase.BACKWARD);
    }

    /** These times with memory {@code peakBytes} and {@code activationBytes}. */
    StageCost withMemory(long peakBytes, long activationBytes) {
        return new StageCost(forwardSeconds, backwardSeconds, updateSeconds, peakBytes, activationBytes);
    }

    /**
     * This stage followed by {@code next} on the same mesh, as one stage whose plan keeps both plans:
     * times, peaks and activations add, and so do {@code forward}, {@code backward} and {@code update}
     * seconds of resharding between them.
     */
    public StageCost then(StageCost next, double forward, double backward, double update) {
        return new StageCost(forwardSeconds + next.forwardSeconds + forward, backwardSeconds + next.backwardSeconds + backward,
                updateSeconds + next.updateSeconds + update, peakBytes + next.peakBytes, activationBytes + next.activationBytes);
    }
}
