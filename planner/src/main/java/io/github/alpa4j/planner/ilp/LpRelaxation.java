package io.github.alpa4j.planner.ilp;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;

/**
 * The linear relaxation of the ILP (REFERENCES §1's linearisation with s and e in [0, 1] instead of
 * {0, 1}), solved by GLOP. Its optimum bounds the ILP's from below, so when it is integral it is the
 * ILP's optimum. On the intra-op problems of transformer layers it was integral on every mesh measured
 * (the marginal constraints of the linearisation are tight on such sparse graphs), and GLOP takes a
 * tenth of CP-SAT's time; when it is fractional, the planner goes on to CP-SAT with the rounded choice
 * as one more warm start. Memory rows are not part of the relaxation (the planner skips it under a budget).
 */
public final class LpRelaxation {
    /** An LP value this close to 0 or 1 counts as integral. */
    private static final double TOLERANCE = 1e-6;
    /** The largest finite cost becomes this many units, to keep GLOP's absolute tolerances meaningful. */
    private static final double RESOLUTION = 1e6;
    /**
     * Dual simplex without GLOP's presolve: on the 24-layer GPT's relaxation (about 40000 columns) it
     * took 0.25-0.5 s where the default primal simplex with presolve took 1.4-2.2 s; with forbidden
     * choices and one-sided edges left out of the model, presolve cost more than it saved.
     */
    private static final String PARAMETERS = "use_dual_simplex: true use_preprocessing: false";

    private LpRelaxation() {
    }

    private static final class Native {
        static {
            OrToolsLibraries.load();
        }

        static void load() {
        }
    }

    /**
     * The relaxation's optimum rounded to a choice per variable (each variable's largest value):
     * {@code OPTIMAL} when it was integral, {@code FEASIBLE} when it had to be rounded, {@code UNKNOWN}
     * when GLOP found no optimum (infeasible, or out of time).
     */
    public static IlpSolution solve(IlpProblem p, double timeLimitSeconds) {
        Native.load();
        long t0 = System.nanoTime();
        MPSolver solver = MPSolver.createSolver("GLOP");
        if (solver == null) {
            throw new IllegalStateException("OR-Tools was built without GLOP");
        }
        try {
            solver.setTimeLimit((long) Math.ceil(timeLimitSeconds * 1000));
            if (!solver.setSolverSpecificParametersAsString(PARAMETERS)) {
                throw new IllegalStateException("GLOP rejected its parameters: " + PARAMETERS);
            }
            double scale = RESOLUTION / Math.max(maxFinite(p), Double.MIN_NORMAL);
            MPObjective objective = solver.objective();
            int n = p.varCount();
            MPVariable[][] s = new MPVariable[n][];
            boolean[][] allowed = new boolean[n][];
            double[][] linear = new double[n][];
            int columns = 0;
            for (int v = 0; v < n; v++) {
                linear[v] = p.costs().get(v).clone();
                s[v] = new MPVariable[linear[v].length];
                allowed[v] = new boolean[linear[v].length];
                MPConstraint one = solver.makeConstraint(1, 1, "");
                for (int i = 0; i < s[v].length; i++) {
                    // a forbidden choice gets no column
                    if (linear[v][i] < Double.POSITIVE_INFINITY) {
                        allowed[v][i] = true;
                        s[v][i] = solver.makeNumVar(0, 1, "");
                        columns++;
                        one.setCoefficient(s[v][i], 1);
                    }
                }
            }
            for (IlpProblem.Edge e : p.edges()) {
                columns += edge(solver, objective, e, s, allowed, linear, scale);
            }
            for (int v = 0; v < n; v++) {
                for (int i = 0; i < s[v].length; i++) {
                    if (s[v][i] == null) {
                        continue;
                    }
                    if (linear[v][i] == Double.POSITIVE_INFINITY) {
                        s[v][i].setUb(0); // an edge folded into v forbids this choice
                    } else if (linear[v][i] != 0) {
                        objective.setCoefficient(s[v][i], linear[v][i] * scale);
                    }
                }
            }
            objective.setMinimization();
            MPSolver.ResultStatus status = solver.solve();
            int rows = solver.numConstraints();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (status != MPSolver.ResultStatus.OPTIMAL) {
                return new IlpSolution(new int[n], Double.NaN, IlpSolution.SolveStatus.UNKNOWN, seconds, columns, rows);
            }
            int[] choice = new int[n];
            boolean integral = true;
            for (int v = 0; v < n; v++) {
                double best = -1;
                for (int i = 0; i < s[v].length; i++) {
                    double x = s[v][i] != null ? s[v][i].solutionValue() : 0;
                    integral &= x < TOLERANCE || x > 1 - TOLERANCE;
                    if (x > best) {
                        best = x;
                        choice[v] = i;
                    }
                }
            }
            return new IlpSolution(choice, p.objective(choice),
                    integral ? IlpSolution.SolveStatus.OPTIMAL : IlpSolution.SolveStatus.FEASIBLE, seconds, columns, rows);
        } finally {
            solver.delete();
        }
    }

    /**
     * One edge's e variables, merged as {@link CpSatSolver} merges them ({@link MergedEdge}):
     * Σ_j e[a][j] = Σ of s_u over row class a, Σ_i e[i][b] = Σ of s_v over column class b; a forbidden
     * pair gets no column, and an edge that does not depend on one side folds into the other's costs.
     * Returns the number of columns it created.
     */
    private static int edge(MPSolver solver, MPObjective objective, IlpProblem.Edge e, MPVariable[][] s,
                            boolean[][] allowed, double[][] linear, double scale) {
        double[][] m = e.cost();
        MergedEdge merged = MergedEdge.of(m, allowed[e.u()], allowed[e.v()]);
        int rows = merged.rows();
        int cols = merged.cols();
        if (rows == 0 || cols == 0) {
            return 0; // a variable without an allowed choice: its empty exactly-one is infeasible
        }
        if (merged.foldOneSided(m, linear[e.u()], linear[e.v()])) {
            return 0;
        }
        MPConstraint[] byRow = new MPConstraint[rows];
        MPConstraint[] byCol = new MPConstraint[cols];
        for (int a = 0; a < rows; a++) {
            byRow[a] = solver.makeConstraint(0, 0, "");
        }
        for (int b = 0; b < cols; b++) {
            byCol[b] = solver.makeConstraint(0, 0, "");
        }
        int[] rowClass = merged.rowClass();
        for (int i = 0; i < rowClass.length; i++) {
            if (rowClass[i] >= 0) {
                byRow[rowClass[i]].setCoefficient(s[e.u()][i], -1);
            }
        }
        int[] colClass = merged.colClass();
        for (int j = 0; j < colClass.length; j++) {
            if (colClass[j] >= 0) {
                byCol[colClass[j]].setCoefficient(s[e.v()][j], -1);
            }
        }
        int created = 0;
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double c = merged.cost(m, a, b);
                if (c == Double.POSITIVE_INFINITY) {
                    continue;
                }
                MPVariable x = solver.makeNumVar(0, 1, "");
                created++;
                byRow[a].setCoefficient(x, 1);
                byCol[b].setCoefficient(x, 1);
                if (c != 0) {
                    objective.setCoefficient(x, c * scale);
                }
            }
        }
        return created;
    }

    private static double maxFinite(IlpProblem p) {
        double m = 0;
        for (double[] c : p.costs()) {
            for (double x : c) {
                if (x < Double.POSITIVE_INFINITY) {
                    m = Math.max(m, x);
                }
            }
        }
        for (IlpProblem.Edge e : p.edges()) {
            for (double[] row : e.cost()) {
                for (double x : row) {
                    if (x < Double.POSITIVE_INFINITY) {
                        m = Math.max(m, x);
                    }
                }
            }
        }
        return m;
    }
}
