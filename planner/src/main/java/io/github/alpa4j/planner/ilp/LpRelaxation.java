package io.github.alpa4j.planner.ilp;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    private LpRelaxation() {
    }

    private static final class Native {
        static {
            Loader.loadNativeLibraries();
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
            double scale = RESOLUTION / Math.max(maxFinite(p), Double.MIN_NORMAL);
            MPObjective objective = solver.objective();
            int n = p.varCount();
            MPVariable[][] s = new MPVariable[n][];
            int columns = 0;
            for (int v = 0; v < n; v++) {
                double[] c = p.costs().get(v);
                s[v] = new MPVariable[c.length];
                MPConstraint one = solver.makeConstraint(1, 1, "");
                for (int i = 0; i < c.length; i++) {
                    s[v][i] = solver.makeNumVar(0, c[i] < Double.POSITIVE_INFINITY ? 1 : 0, "");
                    columns++;
                    one.setCoefficient(s[v][i], 1);
                    if (c[i] < Double.POSITIVE_INFINITY) {
                        objective.setCoefficient(s[v][i], c[i] * scale);
                    }
                }
            }
            for (IlpProblem.Edge e : p.edges()) {
                columns += edge(solver, objective, e, s, scale);
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
                    double x = s[v][i].solutionValue();
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
     * One edge's e variables, with rows (and columns) of equal costs merged as {@link CpSatSolver}
     * merges them: Σ_j e[a][j] = Σ of s_u over row class a, Σ_i e[i][b] = Σ of s_v over column class b.
     */
    private static int edge(MPSolver solver, MPObjective objective, IlpProblem.Edge e, MPVariable[][] s, double scale) {
        double[][] m = e.cost();
        int[] rowClass = classes(m, false);
        int[] colClass = classes(m, true);
        int rows = max(rowClass) + 1;
        int cols = max(colClass) + 1;
        MPConstraint[] byRow = new MPConstraint[rows];
        MPConstraint[] byCol = new MPConstraint[cols];
        for (int a = 0; a < rows; a++) {
            byRow[a] = solver.makeConstraint(0, 0, "");
        }
        for (int b = 0; b < cols; b++) {
            byCol[b] = solver.makeConstraint(0, 0, "");
        }
        for (int i = 0; i < rowClass.length; i++) {
            byRow[rowClass[i]].setCoefficient(s[e.u()][i], -1);
        }
        for (int j = 0; j < colClass.length; j++) {
            byCol[colClass[j]].setCoefficient(s[e.v()][j], -1);
        }
        int[] rowRep = representatives(rowClass, rows);
        int[] colRep = representatives(colClass, cols);
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                double c = m[rowRep[a]][colRep[b]];
                MPVariable x = solver.makeNumVar(0, c < Double.POSITIVE_INFINITY ? 1 : 0, "");
                byRow[a].setCoefficient(x, 1);
                byCol[b].setCoefficient(x, 1);
                if (c < Double.POSITIVE_INFINITY && c != 0) {
                    objective.setCoefficient(x, c * scale);
                }
            }
        }
        return rows * cols;
    }

    /** Class of each row (or column) of {@code m}: equal ones share one. */
    private static int[] classes(double[][] m, boolean columns) {
        int count = columns ? m[0].length : m.length;
        int other = columns ? m.length : m[0].length;
        Map<List<Double>, Integer> seen = new HashMap<>();
        int[] cls = new int[count];
        for (int x = 0; x < count; x++) {
            List<Double> key = new ArrayList<>(other);
            for (int y = 0; y < other; y++) {
                key.add(columns ? m[y][x] : m[x][y]);
            }
            Integer c = seen.putIfAbsent(key, seen.size());
            cls[x] = c == null ? seen.size() - 1 : c;
        }
        return cls;
    }

    private static int[] representatives(int[] cls, int count) {
        int[] rep = new int[count];
        for (int i = cls.length - 1; i >= 0; i--) {
            rep[cls[i]] = i;
        }
        return rep;
    }

    private static int max(int[] a) {
        int m = -1;
        for (int x : a) {
            m = Math.max(m, x);
        }
        return m;
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
