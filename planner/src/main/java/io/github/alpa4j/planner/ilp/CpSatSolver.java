package io.github.alpa4j.planner.ilp;

import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Solves an {@link IlpProblem} with OR-Tools CP-SAT, in Alpa's formulation (REFERENCES §1): one-hot
 * Boolean s_v per variable, and per edge the linearised e_uv with Σ_j e[i][j] = s_u[i] and
 * Σ_i e[i][j] = s_v[j] (which implies Σ e = 1). Choices with identical rows (or columns) of an edge
 * matrix share one row (column) of e ({@link MergedEdge}), which is exact and much smaller; an edge whose matrix does not
 * depend on one side folds into the other side's costs. Costs are scaled to integers for CP-SAT;
 * the objective reported is recomputed exactly from the choice.
 */
public final class CpSatSolver {
    /** The largest finite cost becomes this many units: costs 1e-12 of it apart still differ. */
    private static final double RESOLUTION = 1e12;

    private CpSatSolver() {
    }

    private static final class Native {
        static {
            OrToolsLibraries.load();
        }

        static void load() {
        }
    }

    /**
     * @param budget       memory budget in bytes for the problem's memory rows; {@code Long.MAX_VALUE} for none
     * @param hint         a choice per variable to start from, or null
     * @param minimisePeak ignore the costs and minimise the largest memory row instead
     */
    public static IlpSolution solve(IlpProblem p, long budget, int[] hint, double timeLimitSeconds, int workers,
                                    boolean minimisePeak) {
        Native.load();
        long t0 = System.nanoTime();
        CpModel model = new CpModel();
        int n = p.varCount();
        BoolVar[][] s = new BoolVar[n][];
        int bools = 0;
        double max = 0;
        for (double[] c : p.costs()) {
            max = Math.max(max, maxFinite(c));
        }
        for (IlpProblem.Edge e : p.edges()) {
            for (double[] row : e.cost()) {
                max = Math.max(max, maxFinite(row));
            }
        }
        double scale = max > 0 ? RESOLUTION / max : 1;
        double[][] linear = new double[n][];
        for (int v = 0; v < n; v++) {
            linear[v] = p.costs().get(v).clone();
            s[v] = new BoolVar[linear[v].length];
            List<Literal> allowed = new ArrayList<>();
            for (int i = 0; i < s[v].length; i++) {
                // a forbidden choice gets no variable
                if (linear[v][i] < Double.POSITIVE_INFINITY) {
                    s[v][i] = model.newBoolVar("s" + v + "_" + i);
                    allowed.add(s[v][i]);
                    bools++;
                }
            }
            model.addExactlyOne(allowed);
        }
        LinearExprBuilder objective = LinearExpr.newBuilder();
        for (IlpProblem.Edge e : p.edges()) {
            bools += encodeEdge(model, e, s, linear, objective, scale);
        }
        for (int v = 0; v < n; v++) {
            for (int i = 0; i < linear[v].length; i++) {
                if (s[v][i] == null) {
                    continue;
                }
                if (linear[v][i] == Double.POSITIVE_INFINITY) {
                    model.addEquality(s[v][i], 0);
                } else {
                    objective.addTerm(s[v][i], Math.round(linear[v][i] * scale));
                }
            }
        }
        long peakBound = 0;
        for (IlpProblem.MemoryRow r : p.memory()) {
            long most = 0;
            for (long[] b : r.bytes()) {
                most += Arrays.stream(b).max().orElse(0);
            }
            peakBound = Math.max(peakBound, most);
        }
        var peak = minimisePeak ? model.newIntVar(0, peakBound, "peak") : null;
        for (IlpProblem.MemoryRow r : p.memory()) {
            LinearExprBuilder row = LinearExpr.newBuilder();
            for (int k = 0; k < r.vars().length; k++) {
                BoolVar[] sv = s[r.vars()[k]];
                for (int i = 0; i < sv.length; i++) {
                    if (sv[i] != null) {
                        row.addTerm(sv[i], r.bytes()[k][i]);
                    }
                }
            }
            if (peak != null) {
                row.addTerm(peak, -1);
                model.addLessOrEqual(row, 0);
            } else if (budget < Long.MAX_VALUE) {
                model.addLessOrEqual(row, budget);
            }
        }
        model.minimize(peak != null ? LinearExpr.term(peak, 1) : objective);
        if (hint != null) {
            for (int v = 0; v < n; v++) {
                for (int i = 0; i < s[v].length; i++) {
                    if (s[v][i] != null) {
                        model.addHint(s[v][i], hint[v] == i ? 1 : 0);
                    }
                }
            }
        }
        CpSolver solver = new CpSolver();
        solver.getParameters().setMaxTimeInSeconds(timeLimitSeconds);
        solver.getParameters().setNumWorkers(workers > 0 ? workers : Runtime.getRuntime().availableProcessors());
        // measured on GPT training graphs: CP-SAT's presolve costs more time than it saves on this model,
        // and so does its probing before the search (on GPT-39B's layers on an 8x8 mesh: 0.5-1 s of 1-2.6 s
        // per solve, 850 000 binary clauses learnt that the search did not need; the same optima without it)
        solver.getParameters().setCpModelPresolve(false);
        solver.getParameters().setCpModelProbingLevel(0);
        CpSolverStatus status = solver.solve(model);
        IlpSolution.SolveStatus st = switch (status) {
            case OPTIMAL -> IlpSolution.SolveStatus.OPTIMAL;
            case FEASIBLE -> IlpSolution.SolveStatus.FEASIBLE;
            case INFEASIBLE -> IlpSolution.SolveStatus.INFEASIBLE;
            default -> IlpSolution.SolveStatus.UNKNOWN;
        };
        int[] choice = new int[n];
        if (st.hasSolution()) {
            for (int v = 0; v < n; v++) {
                for (int i = 0; i < s[v].length; i++) {
                    if (s[v][i] != null && solver.booleanValue(s[v][i])) {
                        choice[v] = i;
                    }
                }
            }
        }
        double objectiveValue = st.hasSolution() ? p.objective(choice) : Double.NaN;
        int constraints = model.model().getConstraintsCount();
        return new IlpSolution(choice, objectiveValue, st, (System.nanoTime() - t0) / 1e9, bools, constraints);
    }

    /** Adds one edge to the model; returns the number of Boolean variables it created. */
    private static int encodeEdge(CpModel model, IlpProblem.Edge e, BoolVar[][] s, double[][] linear,
                                  LinearExprBuilder objective, double scale) {
        BoolVar[] su = s[e.u()];
        BoolVar[] sv = s[e.v()];
        double[][] m = e.cost();
        MergedEdge merged = MergedEdge.of(m, allowed(su), allowed(sv));
        int rows = merged.rows();
        int cols = merged.cols();
        if (rows == 0 || cols == 0) {
            return 0; // a variable without an allowed choice: its empty exactly-one makes the model infeasible
        }
        if (merged.foldOneSided(m, linear[e.u()], linear[e.v()])) {
            return 0;
        }
        List<List<Literal>> byRow = new ArrayList<>();
        List<List<Literal>> byCol = new ArrayList<>();
        for (int a = 0; a < rows; a++) {
            byRow.add(new ArrayList<>());
        }
        for (int b = 0; b < cols; b++) {
            byCol.add(new ArrayList<>());
        }
        int created = 0;
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double c = merged.cost(m, a, b);
                if (c == Double.POSITIVE_INFINITY) {
                    continue;
                }
                BoolVar x = model.newBoolVar("e" + e.u() + "_" + e.v() + "_" + a + "_" + b);
                created++;
                byRow.get(a).add(x);
                byCol.get(b).add(x);
                long w = Math.round(c * scale);
                if (w != 0) {
                    objective.addTerm(x, w);
                }
            }
        }
        marginals(model, byRow, merged.rowClass(), su);
        marginals(model, byCol, merged.colClass(), sv);
        return created;
    }

    /** Σ of a class's e variables = Σ of the class's s variables. */
    private static void marginals(CpModel model, List<List<Literal>> edgeVars, int[] cls, BoolVar[] s) {
        for (int a = 0; a < edgeVars.size(); a++) {
            LinearExprBuilder lhs = LinearExpr.newBuilder();
            for (Literal x : edgeVars.get(a)) {
                lhs.add(x);
            }
            for (int i = 0; i < cls.length; i++) {
                if (cls[i] == a) {
                    lhs.addTerm(s[i], -1);
                }
            }
            model.addEquality(lhs, 0);
        }
    }

    private static boolean[] allowed(BoolVar[] s) {
        boolean[] a = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            a[i] = s[i] != null;
        }
        return a;
    }

    private static double maxFinite(double[] c) {
        double m = 0;
        for (double x : c) {
            if (x < Double.POSITIVE_INFINITY) {
                m = Math.max(m, x);
            }
        }
        return m;
    }
}
