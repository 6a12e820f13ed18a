package io.github.alpa4j.planner;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.ilp.CpSatSolver;
import io.github.alpa4j.planner.ilp.IlpProblem;
import io.github.alpa4j.planner.ilp.IlpSolution;
import io.github.alpa4j.planner.ilp.IlpSolution.SolveStatus;
import io.github.alpa4j.planner.ilp.IntraOpIlp;
import io.github.alpa4j.planner.ilp.LpRelaxation;
import io.github.alpa4j.planner.ilp.VariableElimination;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IlpStats;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanStatus;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Alpa's intra-operator pass on one mesh (REFERENCES §1): enumerate every node's strategies, build
 * the ILP (follower merging, role tying across repeated layers, resharding edges, memory rows under a
 * budget), eliminate what can be eliminated exactly, solve the rest (its LP relaxation when that is
 * integral, else CP-SAT from a warm start), and cost the result as a plan. The warm start is the cheapest of the greedy plan and the manual
 * plans, and is returned (as FEASIBLE) if CP-SAT finds nothing better within its time limit; it is computed only when
 * the relaxation does not settle the problem.
 */
public final class IntraOpPlanner {
    private static final double GIB = 1L << 30;

    private IntraOpPlanner() {
    }

    public static IntraOpPlan plan(Graph graph, DeviceMesh mesh, PlannerOptions options) {
        return plan(graph, mesh, options, null);
    }

    /**
     * As {@link #plan(Graph, DeviceMesh, PlannerOptions)}, warm-started from {@code warmStart} (a plan
     * of the same graph on the same mesh, such as a manual one) instead of the greedy and manual plans.
     */
    public static IntraOpPlan plan(Graph graph, DeviceMesh mesh, PlannerOptions options, IntraOpPlan warmStart) {
        return prepare(graph, mesh, options, warmStart).solve();
    }

    /**
     * The first half of {@link #plan}: strategies enumerated, the ILP built and reduced by exact
     * elimination, ready to {@link Prepared#solve() solve} (so that a caller can time the two apart).
     */
    public static Prepared prepare(Graph graph, DeviceMesh mesh, PlannerOptions options, IntraOpPlan warmStart) {
        long t0 = System.nanoTime();
        return prepare(StrategySpace.enumerate(graph, mesh, options), warmStart, t0);
    }

    /** As {@link #prepare(Graph, DeviceMesh, PlannerOptions, IntraOpPlan)} on strategies already enumerated, with their options. */
    public static Prepared prepare(StrategySpace space, IntraOpPlan warmStart) {
        return prepare(space, warmStart, System.nanoTime());
    }

    private static Prepared prepare(StrategySpace space, IntraOpPlan warmStart, long t0) {
        PlannerOptions options = space.options();
        if (warmStart != null && (!warmStart.graph().nodes().equals(space.graph().nodes()) || !warmStart.mesh().equals(space.mesh()))) {
            throw new IllegalArgumentException("a warm start must be a plan of the same graph on the same mesh");
        }
        boolean budget = options.memoryBudgetBytes().isPresent();
        IntraOpIlp ilp = IntraOpIlp.build(space, options.followerMerging(), options.tieRepeatedLayers(), budget);
        VariableElimination elimination = !budget && options.eliminate() ? VariableElimination.of(ilp.problem()) : null;
        return new Prepared(space, ilp, elimination, options, warmStart, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * An intra-op ILP built and reduced, not yet solved.
     *
     * @param elimination  the exact elimination, or null when there is none (a memory budget, or turned off)
     * @param warmStart    the plan to start from, or null for the best of the greedy and manual plans
     * @param buildSeconds strategy enumeration, ILP construction and elimination
     */
    public record Prepared(StrategySpace space, IntraOpIlp ilp, VariableElimination elimination, PlannerOptions options,
                           IntraOpPlan warmStart, double buildSeconds) {
        /** Solves the ILP and costs the result as a plan. */
        public IntraOpPlan solve() {
            IlpProblem full = ilp.problem();
            IlpProblem core = elimination != null ? elimination.reduced() : full;
            int[] kept = elimination != null ? elimination.keptVars() : null;
            // the warm start costs a greedy pass and three manual plans: computed only if the relaxation is not integral
            int[][] hint = new int[1][];
            Supplier<int[]> start = () -> {
                if (hint[0] == null) {
                    hint[0] = warmStart != null
                            ? ilp.varChoices(warmStart.choices().stream().mapToInt(Integer::intValue).toArray())
                            : bestStart(ilp, space);
                }
                return hint[0];
            };
            IlpSolution sol = core.varCount() == 0
                    // elimination left nothing to search: its argmins are the optimum
                    ? new IlpSolution(new int[0], 0, SolveStatus.OPTIMAL, 0, 0, 0)
                    : IntraOpPlanner.solve(core, () -> kept == null ? start.get() : project(start.get(), kept), options);
            int[] varChoice = sol.status().hasSolution()
                    ? (elimination != null ? elimination.expand(sol.choice()) : sol.choice()) : null;
            // CP-SAT may stop at its time limit without reaching the warm start on a large model: keep the better
            if (sol.status() != SolveStatus.OPTIMAL) {
                int[] h = start.get();
                boolean hintFits = full.objective(h) < Double.POSITIVE_INFINITY
                        && full.peakMemory(h) <= options.memoryBudgetBytes().orElse(Long.MAX_VALUE);
                if (hintFits && (varChoice == null || full.objective(h) < full.objective(varChoice))) {
                    varChoice = h;
                }
            }
            if (varChoice == null) {
                throw failure(full, options, sol.status());
            }
            if (full.objective(varChoice) == Double.POSITIVE_INFINITY) {
                throw new IllegalStateException("the ILP returned a forbidden assignment");
            }
            IlpStats stats = new IlpStats(space.graph().size(), space.strategyCount(), ilp.groupCount(), full.varCount(),
                    full.edges().size(), core.varCount(), core.edges().size(), sol.boolVars(), sol.constraints(), buildSeconds,
                    sol.seconds());
            PlanStatus status = sol.status() == SolveStatus.OPTIMAL ? PlanStatus.OPTIMAL : PlanStatus.FEASIBLE;
            return IntraOpPlan.of(PlanMethod.AUTO.flag(), status, space, ilp.nodeStrategies(varChoice), Optional.of(stats));
        }
    }

    /**
     * The LP relaxation when it is integral (then optimal), else CP-SAT from the better of the warm start
     * and the rounded relaxation. Under a memory budget, CP-SAT alone (the relaxation has no memory rows).
     */
    private static IlpSolution solve(IlpProblem core, Supplier<int[]> warmStart, PlannerOptions options) {
        long t0 = System.nanoTime();
        boolean budget = options.memoryBudgetBytes().isPresent();
        IlpSolution lp = null;
        if (!budget && options.linearRelaxation()) {
            lp = LpRelaxation.solve(core, options.timeLimitSeconds());
            if (lp.status() == SolveStatus.OPTIMAL && lp.objective() < Double.POSITIVE_INFINITY) {
                return lp;
            }
        }
        int[] hint = warmStart.get();
        if (lp != null && lp.status().hasSolution() && lp.objective() < core.objective(hint)) {
            hint = lp.choice();
        }
        // the time limit covers the relaxation, the warm start and CP-SAT
        double spent = (System.nanoTime() - t0) / 1e9;
        double left = Math.max(options.timeLimitSeconds() - spent, 0.01 * options.timeLimitSeconds());
        IlpSolution cp = CpSatSolver.solve(core, options.memoryBudgetBytes().orElse(Long.MAX_VALUE),
                options.warmStart() ? hint : null, left, options.solverWorkers(), false);
        return new IlpSolution(cp.choice(), cp.objective(), cp.status(), (System.nanoTime() - t0) / 1e9, cp.boolVars(),
                cp.constraints());
    }

    /** The cheapest of the greedy plan and the manual plans, as variable choices. */
    private static int[] bestStart(IntraOpIlp ilp, StrategySpace space) {
        IlpProblem p = ilp.problem();
        int[] best = p.greedy();
        for (int[] manual : ManualPlans.choices(space)) {
            int[] c = ilp.varChoices(manual);
            if (p.objective(c) < p.objective(best)) {
                best = c;
            }
        }
        return best;
    }

    /** Why no plan came back: a budget below the smallest plan's peak, or the time limit. */
    private static PlanningException failure(IlpProblem full, PlannerOptions options, SolveStatus status) {
        if (options.memoryBudgetBytes().isPresent()) {
            IlpSolution least = CpSatSolver.solve(full, Long.MAX_VALUE, null, options.timeLimitSeconds(),
                    options.solverWorkers(), true);
            long budget = options.memoryBudgetBytes().getAsLong();
            if (least.status().hasSolution()) {
                long need = full.peakMemory(least.choice());
                if (need > budget) {
                    return new PlanningException(String.format(Locale.ROOT,
                            "does not fit in %s GiB per device; the smallest plan %s %s GiB",
                            budgetGiB(budget), least.status() == SolveStatus.OPTIMAL ? "needs" : "found needs",
                            neededGiB(need)));
                }
            }
        }
        return new PlanningException(String.format(Locale.ROOT,
                "no plan found within the solver time limit of %.0f s (%s); raise the time limit",
                options.timeLimitSeconds(), status.name().toLowerCase(Locale.ROOT)));
    }

    /** The budget as the user gave it in GiB (to 4 decimals, trailing zeros dropped). */
    private static String budgetGiB(long bytes) {
        return BigDecimal.valueOf(bytes / GIB).setScale(4, RoundingMode.HALF_UP)
                .stripTrailingZeros().toPlainString();
    }

    /** A requirement in GiB, rounded up to 0.01 so that a budget of that many GiB is enough. */
    private static String neededGiB(long bytes) {
        return String.format(Locale.ROOT, "%.2f", Math.ceil(bytes / GIB * 100) / 100);
    }

    private static int[] project(int[] choice, int[] kept) {
        int[] r = new int[kept.length];
        for (int k = 0; k < kept.length; k++) {
            r[k] = choice[kept[k]];
        }
        return r;
    }
}
