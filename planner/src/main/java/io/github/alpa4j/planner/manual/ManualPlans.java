package io.github.alpa4j.planner.manual;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanStatus;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Hand-written plans for comparison, as strategy choices over the same strategy space, so the same
 * cost model prices them. Data parallel: fed inputs split by batch over the data axes, parameters
 * replicated. Megatron tensor parallel: each 2-D weight multiplied in the forward pass is split by
 * columns when its activation arrives whole (attention q/k/v, MLP in, LM head) and by rows when the
 * activation arrives split along the contraction (attention out, MLP out), which then ends in one
 * all-reduce; embedding tables are split by vocabulary. Their 2-D combination uses mesh axis 0 for
 * data and axis 1 for tensors. Every other node takes, in graph order, the strategy that reads its
 * inputs as they are (a follower reads its leader's output as it is), the cheapest among those; a
 * gradient keeps its parameter's layout and an update its variable's. Parameters, states and
 * constants not fixed above take the layout their first reader asks for. Where a dimension does not
 * divide, an op falls back to the cheapest strategy given its inputs. With sharded optimizer states
 * (ZeRO, {@code dp-zero} and {@code megatron:...,zero=1}) every parameter is stored further split over
 * the data axes (its first dimension that divides), its gradient ends in a reduce-scatter onto that
 * split, its optimizer states and update follow it, and its readers all-gather it: a cast to the
 * compute type gathers its low-precision copy once (ZeRO stages 1-2 in mixed precision); in fp32 each
 * reader gathers the parameter (as stage 3 does). Readers otherwise choose as in the plan without ZeRO.
 */
public final class ManualPlans {
    private ManualPlans() {
    }

    public static IntraOpPlan dataParallel(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return build(PlanMethod.DATA_PARALLEL, graph, mesh, options);
    }

    public static IntraOpPlan megatron(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return build(PlanMethod.MEGATRON, graph, mesh, options);
    }

    public static IntraOpPlan dpMegatron(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return build(PlanMethod.DP_MEGATRON, graph, mesh, options);
    }

    public static IntraOpPlan dataParallelZero(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return build(PlanMethod.DP_ZERO, graph, mesh, options);
    }

    /** Megatron's 2-D plan (data on mesh axis 0, tensors on axis 1) with optimizer states sharded over the data axis. */
    public static IntraOpPlan dpMegatronZero(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        StrategySpace space = StrategySpace.enumerate(graph, mesh, options);
        int[] choice = new Chooser(space, usable(mesh, MeshAxes.AXIS0), usable(mesh, MeshAxes.AXIS1), true).run();
        return IntraOpPlan.of(PlanMethod.DP_MEGATRON.flag() + "-zero", PlanStatus.MANUAL, space, choice, Optional.empty());
    }

    /** The strategy choices of the three manual plans (data parallel, Megatron, both) on {@code space}. */
    /**
     * DeepSpeed-MoE's expert + data parallelism: data parallel over the whole mesh, and every expert weight
     * (a parameter of rank 3 or more that a batched matmul multiplies, [E, ...]) split by expert over the
     * mesh axes E divides (both if it can, else one, the within-host axis first); the expert products read
     * their weights where they lie, so the tokens travel to their experts (all-to-all) and back.
     */
    public static IntraOpPlan expertDataParallel(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return build(PlanMethod.EP_DP, graph, mesh, options);
    }

    public static List<int[]> choices(StrategySpace space) {
        return Stream.of(PlanMethod.DATA_PARALLEL, PlanMethod.MEGATRON, PlanMethod.DP_MEGATRON)
                .map(m -> choose(space, m)).toList();
    }

    /** Manual plan {@code m} on strategies already enumerated (shared with other plans of the same graph and mesh). */
    public static IntraOpPlan of(PlanMethod m, StrategySpace space) {
        return IntraOpPlan.of(m.flag(), PlanStatus.MANUAL, space, choose(space, m), Optional.empty());
    }

    private static IntraOpPlan build(PlanMethod m, Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return of(m, StrategySpace.enumerate(graph, mesh, options));
    }

    /** Data and tensor axes of each manual plan, among the mesh axes with more than one device. */
    private static int[] choose(StrategySpace space, PlanMethod m) {
        DeviceMesh mesh = space.mesh();
        return switch (m) {
            case DATA_PARALLEL -> new Chooser(space, usable(mesh, MeshAxes.BOTH), MeshAxes.NONE, false).run();
            case DP_ZERO -> new Chooser(space, usable(mesh, MeshAxes.BOTH), MeshAxes.NONE, true).run();
            case EP_DP -> new Chooser(space, usable(mesh, MeshAxes.BOTH), MeshAxes.NONE, false).withExperts().run();
            case MEGATRON -> new Chooser(space, MeshAxes.NONE, usable(mesh, MeshAxes.BOTH), false).run();
            case DP_MEGATRON -> new Chooser(space, usable(mesh, MeshAxes.AXIS0), usable(mesh, MeshAxes.AXIS1), false).run();
            case AUTO -> throw new IllegalArgumentException("the automatic plan is not a manual one");
        };
    }

    private static MeshAxes usable(DeviceMesh mesh, MeshAxes axes) {
        MeshAxes u = MeshAxes.NONE;
        for (int a = 0; a < 2; a++) {
            if (axes.contains(a) && mesh.size(a) > 1) {
                u = u.union(MeshAxes.of(a));
            }
        }
        return u;
    }

    /** Picks a strategy per node in graph order. */
    private static final class Chooser {
        private final StrategySpace space;
        private final Graph graph;
        private final MeshAxes data;
        private final MeshAxes tensor;
        private final int[] choice;
        private final int[] variableOfUpdate;
        private final int[] parameterOfGradient;
        private final ZeroLayout zero;
        private ExpertLayout experts;

        Chooser(StrategySpace space, MeshAxes data, MeshAxes tensor, boolean zero) {
            this.space = space;
            this.graph = space.graph();
            this.data = data;
            this.tensor = tensor;
            this.zero = zero && !data.isEmpty() ? new ZeroLayout(space, data) : null;
            this.choice = new int[graph.size()];
            Arrays.fill(choice, -1);
            this.variableOfUpdate = new int[graph.size()];
            this.parameterOfGradient = new int[graph.size()];
            Arrays.fill(variableOfUpdate, -1);
            Arrays.fill(parameterOfGradient, -1);
            graph.updates().forEach(u -> variableOfUpdate[u.value()] = u.variable());
            graph.gradients().forEach((p, g) -> parameterOfGradient[gradientHead(g)] = p);
        }

        /**
         * The node that decides a gradient's layout: the gradient itself, or where it is a follower (a cast to
         * f32 of a low-precision gradient, its unscaling) the leader of its chain of same-shaped followers.
         */
        private int gradientHead(int g) {
            int n = g;
            int leader = space.leaders()[n];
            while (leader >= 0 && graph.node(graph.node(n).input(leader)).type().shape().equals(graph.node(n).type().shape())) {
                n = graph.node(n).input(leader);
                leader = space.leaders()[n];
            }
            return n;
        }

        /** Splits the expert weights by expert (the ep-dp plan). */
        Chooser withExperts() {
            experts = new ExpertLayout(space);
            return this;
        }

        int[] run() {
            for (Node n : graph.nodes()) {
                if (n.op() instanceof SourceOp.Input) {
                    fix(n.id(), batchSplit(n));
                } else if (experts != null && experts.isExpertWeight(n.id())) {
                    fixParameter(n.id(), experts.split(n.id()));
                } else if (n.isParameter() && tensor.isEmpty()) {
                    fixParameter(n.id(), ShardingSpec.replicated(n.type().rank()));
                } else if (!n.isSource() && !castOfOpenParameter(n.id())) {
                    choose(n);
                }
            }
            for (Node n : graph.nodes()) {
                if (choice[n.id()] < 0) {
                    fix(n.id(), ShardingSpec.replicated(n.type().rank()));
                }
            }
            return choice;
        }

        private ShardingSpec batchSplit(Node n) {
            ShardingSpec r = ShardingSpec.replicated(n.type().rank());
            if (data.isEmpty() || n.type().rank() == 0) {
                return r;
            }
            ShardingSpec s = r.withDim(0, DimSharding.of(data));
            return s.fits(n.type().shape(), space.mesh()) ? s : r;
        }

        private void fix(int node, ShardingSpec spec) {
            List<ShardingStrategy> s = space.of(node);
            for (int i = 0; i < s.size(); i++) {
                if (s.get(i).outputSpec().equals(spec)) {
                    choice[node] = i;
                    return;
                }
            }
            choice[node] = 0;
        }

        private ShardingSpec out(int node) {
            return space.of(node).get(choice[node]).outputSpec();
        }

        /**
         * A mixed-precision cast of a parameter not laid out yet: its readers decide (a Megatron split of the
         * weight it feeds), so it waits for the first of them ({@link #castFor}).
         */
        private boolean castOfOpenParameter(int node) {
            Node n = graph.node(node);
            return n.op() instanceof ElementwiseOp.Cast && graph.node(n.input(0)).isParameter() && choice[n.input(0)] < 0;
        }

        /** The cast of an open parameter, as its first reader reads it: the parameter laid out so, cast where it lies. */
        private void castFor(int cast, ShardingSpec spec) {
            int p = graph.node(cast).input(0);
            fixParameter(p, spec);
            ShardingSpec stored = out(p);
            List<ShardingStrategy> own = space.of(cast);
            for (int i = 0; i < own.size(); i++) {
                if (own.get(i).inputSpec(0).equals(stored) && own.get(i).outputSpec().equals(spec)) {
                    choice[cast] = i;
                    return;
                }
            }
            fix(cast, spec);
        }

        /** Stores parameter {@code p} as {@code spec} says, further split over the data axes under ZeRO. */
        private void fixParameter(int p, ShardingSpec spec) {
            fix(p, zero == null ? spec : zero.store(p, spec));
        }

        /** What a reader of {@code node} takes its layout to be: a ZeRO-stored parameter's layout without ZeRO. */
        private ShardingSpec seen(int node) {
            return zero != null && zero.stored(node) ? zero.unsharded(node) : out(node);
        }

        private void choose(Node n) {
            int leader = space.leaders()[n.id()];
            if (leader >= 0 && choice[n.input(leader)] >= 0) {
                // as follower merging does, so that the plan lies in the space the ILP searches
                take(n, space.follow(n.id(), leader, out(n.input(leader))));
                return;
            }
            List<Integer> cands = new ArrayList<>();
            for (int i = 0; i < space.of(n.id()).size(); i++) {
                cands.add(i);
            }
            int variable = variableOfUpdate[n.id()];
            if (variable >= 0 && choice[variable] >= 0) {
                ShardingSpec want = out(variable);
                cands = narrow(n, cands, s -> s.outputSpec().equals(want));
            }
            int param = parameterOfGradient[n.id()];
            if (param >= 0 && choice[param] >= 0) {
                ShardingSpec want = out(param);
                cands = narrow(n, cands, s -> s.outputSpec().equals(want));
            }
            if (!tensor.isEmpty() && n.phase() == Phase.FORWARD) {
                cands = tensorParallel(n, cands);
            }
            if (experts != null) {
                cands = narrow(n, cands, experts.readsWhereTheyLie(n, choice, this::seen));
            }
            int best = -1;
            double[] bestScore = null;
            for (int i : cands) {
                double[] score = score(n, space.of(n.id()).get(i));
                if (best < 0 || less(score, bestScore)) {
                    best = i;
                    bestScore = score;
                }
            }
            take(n, best);
        }

        /** Gives {@code n} strategy {@code i}; inputs not laid out yet take the layout it reads. */
        private void take(Node n, int i) {
            choice[n.id()] = i;
            ShardingStrategy s = space.of(n.id()).get(i);
            for (int k = 0; k < n.inputs().size(); k++) {
                int in = n.input(k);
                if (choice[in] < 0) {
                    if (castOfOpenParameter(in)) {
                        castFor(in, s.inputSpec(k));
                    } else if (graph.node(in).isParameter()) {
                        fixParameter(in, s.inputSpec(k));
                    } else {
                        fix(in, s.inputSpec(k));
                    }
                }
            }
            if (zero != null) {
                choice[n.id()] = zero.castOfStored(n, choice[n.id()], choice);
            }
        }

        /** A parameter, or its cast to the compute type (mixed precision): what Megatron splits. */
        private boolean isWeight(int node) {
            Node w = graph.node(node);
            return w.isParameter() || w.op() instanceof ElementwiseOp.Cast && graph.node(w.input(0)).isParameter();
        }

        /** Megatron's splits for forward matmuls with a weight operand and for embedding lookups. */
        private List<Integer> tensorParallel(Node n, List<Integer> cands) {
            Predicate<ShardingStrategy> megatron = null;
            if (n.op() instanceof MatmulOp.MatMul m && !m.transB() && isWeight(n.input(1))
                    && graph.node(n.input(1)).type().rank() == 2 && choice[n.input(0)] >= 0) {
                ShardingSpec a = seen(n.input(0));
                int k = m.transA() ? a.rank() - 2 : a.rank() - 1;
                ShardingSpec w = a.dim(k).axes().equals(tensor)
                        ? ShardingSpec.of(DimSharding.of(tensor), DimSharding.R)
                        : ShardingSpec.of(DimSharding.R, DimSharding.of(tensor));
                megatron = s -> s.inputSpec(0).equals(a) && s.inputSpec(1).equals(w);
            } else if (n.op() instanceof EmbeddingOp.Embedding && choice[n.input(0)] >= 0) {
                ShardingSpec ids = seen(n.input(0));
                ShardingSpec table = ShardingSpec.of(DimSharding.of(tensor), DimSharding.R);
                megatron = s -> s.inputSpec(0).equals(ids) && s.inputSpec(1).equals(table);
            }
            if (megatron == null) {
                return cands;
            }
            // Megatron ends a split contraction in an all-reduce, not a reduce-scatter
            Predicate<ShardingStrategy> allReduce = s -> s.collectives().stream()
                    .noneMatch(c -> c instanceof Collective.ReduceScatter);
            return narrow(n, cands, megatron.and(allReduce));
        }

        /** The candidates {@code keep} accepts, or all of them if it accepts none. */
        private List<Integer> narrow(Node n, List<Integer> cands, Predicate<ShardingStrategy> keep) {
            List<Integer> out = cands.stream().filter(i -> keep.test(space.of(n.id()).get(i))).toList();
            return out.isEmpty() ? cands : out;
        }

        /** (inputs read differently, cost including their resharding), compared in order. */
        private double[] score(Node n, ShardingStrategy s) {
            double mismatched = 0;
            double cost = space.nodeCost(n.id(), s);
            for (int k = 0; k < n.inputs().size(); k++) {
                int p = n.input(k);
                if (choice[p] < 0) {
                    continue;
                }
                ShardingSpec from = seen(p);
                if (!from.equals(s.inputSpec(k))) {
                    // a fed input is read as the plan lays it out (batch split for data parallelism),
                    // though the loader could feed any layout at no cost
                    mismatched++;
                    if (!space.isFed(p)) {
                        cost += space.reshardWeight(n.id()) * Resharding.between(from, s.inputSpec(k), graph.node(p).type(), space.mesh()).cost();
                    }
                }
            }
            return new double[] {mismatched, cost};
        }

        private static boolean less(double[] a, double[] b) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] != b[i]) {
                    return a[i] < b[i];
                }
            }
            return false;
        }
    }
}
