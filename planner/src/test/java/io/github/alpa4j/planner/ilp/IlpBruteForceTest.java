package io.github.alpa4j.planner.ilp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.RandomGraphs;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanStatus;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ILP's optimum equals an exhaustive search over every assignment of strategies to nodes, priced
 * independently here: node costs, the resharding of every edge not out of a fed input, updates keeping their variable's
 * layout, and (under a budget) the memory held at every step.
 */
class IlpBruteForceTest {
    private static final int GRAPHS_PER_SEED = 40;
    /** CP-SAT works on costs scaled to integers (10^12 units for the largest); a flop is 10^-14 s here. */
    private static final double TOLERANCE = 1e-9;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void ilpOptimumEqualsBruteForce(int seed) {
        Random r = new Random(seed);
        for (int i = 0; i < GRAPHS_PER_SEED; i++) {
            Graph g = RandomGraphs.graph(r, 7);
            DeviceMesh mesh = Meshes.random(r);
            PlannerOptions exact = PlannerOptions.defaults().withFollowerMerging(false).withTieRepeatedLayers(false)
                    .withZeroComputeCost(r.nextInt(4) == 0);
            String what = "seed " + seed + " graph " + i + " on " + mesh + "\n" + g;
            StrategySpace space = StrategySpace.enumerate(g, mesh, exact);
            BruteForce.Best best = new BruteForce(space, Long.MAX_VALUE).run();
            for (boolean eliminate : new boolean[] {true, false}) {
                IntraOpPlan plan = IntraOpPlanner.plan(g, mesh, exact.withEliminate(eliminate));
                assertThat(plan.status()).as(what).isEqualTo(PlanStatus.OPTIMAL);
                assertThat(plan.objective()).as(what).isCloseTo(best.cost(), within(TOLERANCE * best.cost() + 2e-15));
            }
            // follower merging searches a subset of the assignments
            IntraOpPlan merged = IntraOpPlanner.plan(g, mesh, PlannerOptions.defaults().withZeroComputeCost(exact.zeroComputeCost()));
            assertThat(merged.objective()).as(what).isGreaterThanOrEqualTo(best.cost() * (1 - 1e-9));
            if (i % 3 == 0) {
                budgeted(g, mesh, exact, space, r, what);
            }
        }
    }

    /** Under a memory budget between the smallest and the largest peak: the same optimum, or the "does not fit" error. */
    private static void budgeted(Graph g, DeviceMesh mesh, PlannerOptions exact, StrategySpace space, Random r, String what) {
        long replicated = BruteForce.peak(space, new BruteForce(space, Long.MAX_VALUE).replicated());
        long budget = Math.max(1, (long) (replicated * (0.2 + 0.9 * r.nextDouble())));
        BruteForce.Best best = new BruteForce(space, budget).run();
        PlannerOptions o = exact.withMemoryBudgetBytes(budget);
        if (best == null) {
            assertThatThrownBy(() -> IntraOpPlanner.plan(g, mesh, o)).as(what).isInstanceOf(PlanningException.class)
                    .hasMessageContaining("does not fit in").hasMessageContaining("the smallest plan needs");
        } else {
            IntraOpPlan plan = IntraOpPlanner.plan(g, mesh, o);
            assertThat(plan.objective()).as(what + " budget " + budget).isCloseTo(best.cost(), within(TOLERANCE * best.cost() + 2e-15));
            assertThat(plan.peakMemoryBytes()).as(what).isLessThanOrEqualTo(budget);
        }
    }

    /** Depth-first search over all assignments, pruned only by the cost so far (all costs are non-negative). */
    static final class BruteForce {
        record Best(double cost, int[] choice) {
        }

        private final StrategySpace space;
        private final Graph g;
        private final long budget;
        private final int[] choice;
        private double bestCost = Double.POSITIVE_INFINITY;
        private int[] best;

        BruteForce(StrategySpace space, long budget) {
            this.space = space;
            this.g = space.graph();
            this.budget = budget;
            this.choice = new int[g.size()];
        }

        Best run() {
            search(0, 0);
            return best == null ? null : new Best(bestCost, best);
        }

        int[] replicated() {
            int[] c = new int[g.size()];
            for (Node n : g.nodes()) {
                for (int i = 0; i < space.of(n.id()).size(); i++) {
                    ShardingStrategy s = space.of(n.id()).get(i);
                    if (!s.outputSpec().usedAxes().intersects(io.github.alpa4j.planner.sharding.MeshAxes.BOTH)
                            && s.inputSpecs().stream().noneMatch(x -> x.usedAxes().intersects(io.github.alpa4j.planner.sharding.MeshAxes.BOTH))) {
                        c[n.id()] = i;
                    }
                }
            }
            return c;
        }

        private void search(int n, double cost) {
            if (cost >= bestCost) {
                return;
            }
            if (n == g.size()) {
                if (budget == Long.MAX_VALUE || peak(space, choice) <= budget) {
                    bestCost = cost;
                    best = choice.clone();
                }
                return;
            }
            Node node = g.node(n);
            for (int i = 0; i < space.of(n).size(); i++) {
                choice[n] = i;
                ShardingStrategy s = space.of(n).get(i);
                double c = space.nodeCost(n, s);
                for (int k = 0; k < node.inputs().size(); k++) {
                    int p = node.input(k);
                    if (g.node(p).op() instanceof io.github.alpa4j.ir.SourceOp.Input) {
                        continue; // the data loader feeds each reader its own layout
                    }
                    c += space.reshardWeight(n) * Resharding.between(space.of(p).get(choice[p]).outputSpec(), s.inputSpec(k),
                            g.node(p).type(), space.mesh()).cost();
                }
                boolean keepsLayout = g.updates().stream().filter(u -> u.value() == n).allMatch(u ->
                        space.of(u.variable()).get(choice[u.variable()]).outputSpec().equals(s.outputSpec()));
                if (keepsLayout) {
                    search(n + 1, cost + c);
                }
            }
        }

        /** Bytes held at the worst step: variables and inputs from the start, outputs and updates to the end. */
        static long peak(StrategySpace space, int[] choice) {
            Graph g = space.graph();
            int n = g.size();
            long peak = 0;
            for (int t = 0; t < n; t++) {
                long held = 0;
                for (Node v : g.nodes()) {
                    int born = v.isVariable() || v.op() instanceof SourceOp.Input ? 0 : v.id();
                    int dies = v.id();
                    for (int u : g.users(v.id())) {
                        dies = Math.max(dies, u);
                    }
                    int id = v.id();
                    if (v.isVariable() || g.outputs().containsValue(id) || g.updates().stream().anyMatch(u -> u.value() == id)) {
                        dies = n - 1;
                    }
                    if (born <= t && t <= dies) {
                        held += space.of(id).get(choice[id]).memoryBytes();
                    }
                }
                peak = Math.max(peak, held);
            }
            return peak;
        }
    }
}
