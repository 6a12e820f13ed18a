package io.github.alpa4j.engine.lower;

import io.github.alpa4j.engine.collective.Collectives.Reduction;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers an intra-op plan to the program every device of its mesh runs (SPMD). For each node: its
 * inputs are resharded from their producers' layouts to what its strategy reads, edge by edge as
 * the plan costs them; the op runs on local shards into the strategy's result layout; the result
 * is resharded (all-reduce or reduce-scatter of partial sums, slices) to its output layout. The
 * lowering calls no solver and decides nothing the plan did not.
 */
public final class Lowering {
    private final IntraOpPlan plan;
    private final Graph g;
    private final DeviceMesh mesh;
    private final List<SlotInfo> slots = new ArrayList<>();
    private final List<Instruction> code = new ArrayList<>();
    private final List<Integer> owners = new ArrayList<>();
    private int owner = -1;
    private final int[] nodeSlot;

    private Lowering(IntraOpPlan plan) {
        this.plan = plan;
        this.g = plan.graph();
        this.mesh = plan.mesh();
        this.nodeSlot = new int[g.size()];
    }

    public static MeshProgram lower(IntraOpPlan plan) {
        return new Lowering(plan).run();
    }

    private final Map<Integer, Integer> inputs = new LinkedHashMap<>();

    private MeshProgram run() {
        Map<Integer, Integer> variables = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            ShardingStrategy s = plan.strategy(n.id());
            if (n.isVariable() || n.op() instanceof SourceOp.Input) {
                int slot = newSlot(n.id(), s.outputSpec(), -1);
                if (n.isVariable()) {
                    variables.put(n.id(), slot);
                } else {
                    inputs.put(slot, n.id());
                }
                nodeSlot[n.id()] = slot;
                continue;
            }
            owner = n.id();
            List<Integer> in = new ArrayList<>();
            for (int k = 0; k < n.inputs().size(); k++) {
                int p = n.input(k);
                in.add(reshard(nodeSlot[p], plan.outputSpec(p), s.inputSpec(k)));
            }
            int result = compute(n, s, in);
            nodeSlot[n.id()] = reshard(result, s.resultSpec(), s.outputSpec());
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        g.outputs().forEach((name, id) -> outputs.put(name, nodeSlot[id]));
        Map<Integer, Integer> updates = new LinkedHashMap<>();
        for (Graph.Update u : g.updates()) {
            int value = nodeSlot[u.value()];
            if (!slots.get(value).spec().equals(plan.outputSpec(u.variable()))) {
                throw new IllegalStateException("plan stores " + g.node(u.variable()).name() + " as "
                        + plan.outputSpec(u.variable()) + " but computes its update as " + slots.get(value).spec());
            }
            updates.put(nodeSlot[u.variable()], value);
        }
        FreePass.Result withFrees = FreePass.insert(code, owners, slots, variables.values(), outputs.values(), updates.values());
        return new MeshProgram(plan, slots, withFrees.code(), withFrees.owners(), variables, inputs, outputs, updates);
    }

    private int newSlot(int node, ShardingSpec spec, int aliasOf) {
        TensorType global = g.node(node).type();
        TensorType local = global.withShape(local(spec, global.shape()));
        SlotInfo s = new SlotInfo(slots.size(), node, spec, global, local, aliasOf);
        slots.add(s);
        return s.id();
    }

    private Shape local(ShardingSpec spec, Shape global) {
        return global.rank() == 0 ? global : Shape.of(spec.localDims(global, mesh));
    }

    private int compute(Node n, ShardingStrategy s, List<Integer> in) {
        List<TensorType> inTypes = in.stream().map(i -> slots.get(i).local()).toList();
        if (n.op() instanceof LossOp && !(n.op() instanceof LossOp.MseLoss)
                && s.inputSpec(0).dim(s.inputSpec(0).rank() - 1).isSplit()) {
            return vocabCrossEntropy(n, s, in, inTypes);
        }
        boolean alias = n.op() instanceof LayoutOp.Reshape;
        int out = newSlot(n.id(), s.resultSpec(), alias ? in.get(0) : -1);
        emit(new Instruction.Compute(n.id(), n.op(), in, out, inTypes, slots.get(out).local(), meanCount(n), vocabAxes(n, s)));
        return out;
    }

    private int vocabCrossEntropy(Node n, ShardingStrategy s, List<Integer> in, List<TensorType> inTypes) {
        TensorType logits = inTypes.get(0);
        int out = newSlot(n.id(), s.resultSpec(), -1);
        boolean grad = n.op() instanceof LossOp.CrossEntropyGrad;
        ShardingSpec ls = s.inputSpec(0);
        emit(new Instruction.VocabCrossEntropy(n.id(), in.get(0), in.get(1), grad ? in.get(2) : -1, out,
                inTypes.get(1).size(), logits.dim(-1), ls.dim(ls.rank() - 1).axes(), meanCount(n)));
        return out;
    }

    /** The global count a mean or a loss divides by, so every shard adds its share of the global mean. */
    private long meanCount(Node n) {
        return switch (n.op()) {
            case ReductionOp.ReduceMean r -> r.axes().stream().mapToLong(a -> g.node(n.input(0)).type().dim(a)).reduce(1, (x, y) -> x * y);
            case LossOp.CrossEntropy c -> g.node(n.input(1)).type().size();
            case LossOp.CrossEntropyGrad c -> g.node(n.input(1)).type().size();
            case LossOp.MseLoss m -> g.node(n.input(0)).type().size();
            default -> 0;
        };
    }

    /** Mesh axes a table (or its gradient) is split over along the vocabulary. */
    private static MeshAxes vocabAxes(Node n, ShardingStrategy s) {
        return switch (n.op()) {
            case EmbeddingOp.Embedding e -> s.inputSpec(1).dim(0).axes();
            case EmbeddingOp.EmbeddingGrad e -> s.resultSpec().dim(0).axes();
            default -> MeshAxes.NONE;
        };
    }

    /** Emits the steps that turn {@code slot} (laid out {@code from}) into {@code to}; returns the final slot. */
    private int reshard(int slot, ShardingSpec from, ShardingSpec to) {
        if (from.equals(to)) {
            return slot;
        }
        int node = slots.get(slot).node();
        if (plan.space().isFed(node)) {
            // the data loader feeds this reader its own layout (the plan counts no resharding)
            int fed = newSlot(node, to, -1);
            inputs.put(fed, node);
            return fed;
        }
        Resharding r = Resharding.between(from, to, g.node(node).type(), mesh);
        ShardingSpec cur = from;
        int cs = slot;
        for (ReshardStep step : r.steps()) {
            ShardingSpec next = SpecSteps.after(cur, step);
            boolean inPlace = step instanceof Collective.AllReduce;
            int out = newSlot(node, next, inPlace ? cs : -1);
            TensorType a = slots.get(cs).local();
            TensorType b = slots.get(out).local();
            emit(switch (step) {
                case Collective.AllReduce x -> new Instruction.AllReduce(cs, out, x.axes(),
                        x.op() == Collective.ReduceOp.MAX ? Reduction.MAX : Reduction.SUM, a);
                case Collective.ReduceScatter x -> new Instruction.ReduceScatter(cs, out, x.axes(), x.dim(), a, b);
                case Collective.AllGather x -> new Instruction.AllGather(cs, out, x.axes(), x.dim(), a, b);
                case Collective.AllToAll x -> new Instruction.AllToAll(cs, out, x.axes(), x.fromDim(), x.toDim(), a, b);
                case ReshardStep.Slice x -> new Instruction.Slice(cs, out, x.axes(), x.dim(), a, b);
            });
            cur = next;
            cs = out;
        }
        if (!cur.equals(to)) {
            throw new IllegalStateException("resharding " + from + " -> " + to + " ended at " + cur);
        }
        return cs;
    }

    private void emit(Instruction ins) {
        code.add(ins);
        owners.add(owner);
    }

    /** Every slot's storage owner (itself, or the slot it aliases, followed to the end). */
    static int storage(List<SlotInfo> slots, int id) {
        int s = id;
        while (slots.get(s).isAlias()) {
            s = slots.get(s).aliasOf();
        }
        return s;
    }

}
