package io.github.alpa4j.planner.ilp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exact variable elimination (min-sum) of the variables with at most two neighbours, and of those
 * with a single choice, before the ILP goes to CP-SAT; a variable between two others is kept when
 * eliminating it would make the problem larger. Dominated choices of the variables that stay are
 * forbidden. A leaf v of u folds min_j(c_v[j] + R_uv[i][j])
 * into c_u[i]; a variable v between u and w becomes the edge min_j(c_v[j] + R_uv[i][j] + R_vw[j][k]).
 * Training graphs are mostly chains of such variables (forward and backward ladders), so what is left
 * is small. The optimum of the reduced problem, extended by the recorded argmins, is an optimum of
 * the original. Not valid with memory rows, which couple all variables.
 */
public final class VariableElimination {
    private final IlpProblem reduced;
    private final int[] keptVars;
    private final List<Step> steps;
    private final int varCount;

    private sealed interface Step {
    }

    private record Fixed(int v, int choice) implements Step {
    }

    private record GivenOne(int v, int u, int[] argmin) implements Step {
    }

    private record GivenTwo(int v, int u, int w, int[][] argmin) implements Step {
    }

    private VariableElimination(IlpProblem reduced, int[] keptVars, List<Step> steps, int varCount) {
        this.reduced = reduced;
        this.keptVars = keptVars;
        this.steps = steps;
        this.varCount = varCount;
    }

    /** The problem over the variables that remain. Its objective omits the eliminated constant part. */
    public IlpProblem reduced() {
        return reduced;
    }

    /** Original index of each variable of the reduced problem. */
    public int[] keptVars() {
        return keptVars.clone();
    }

    /** A choice for every original variable from a choice for the reduced ones. */
    public int[] expand(int[] reducedChoice) {
        int[] c = new int[varCount];
        for (int k = 0; k < keptVars.length; k++) {
            c[keptVars[k]] = reducedChoice[k];
        }
        for (int s = steps.size() - 1; s >= 0; s--) {
            switch (steps.get(s)) {
                case Fixed f -> c[f.v] = f.choice;
                case GivenOne g -> c[g.v] = g.argmin[c[g.u]];
                case GivenTwo g -> c[g.v] = g.argmin[c[g.u]][c[g.w]];
            }
        }
        return c;
    }

    public static VariableElimination of(IlpProblem p) {
        if (!p.memory().isEmpty()) {
            throw new IllegalArgumentException("variable elimination is exact only without memory rows");
        }
        int n = p.varCount();
        double[][] cost = new double[n][];
        List<Map<Integer, double[][]>> adj = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            cost[v] = p.costs().get(v).clone();
            adj.add(new HashMap<>());
        }
        for (IlpProblem.Edge e : p.edges()) {
            addEdge(adj, e.u(), e.v(), e.cost());
        }
        boolean[] gone = new boolean[n];
        List<Step> steps = new ArrayList<>();
        Deque<Integer> work = new ArrayDeque<>();
        for (int v = 0; v < n; v++) {
            work.add(v);
        }
        while (!work.isEmpty()) {
            int v = work.poll();
            if (gone[v]) {
                continue;
            }
            if (finiteChoices(cost[v]) > 1 && (adj.get(v).size() > 2 || (adj.get(v).size() == 2 && grows(v, cost, adj)))) {
                if (pruneDominated(v, cost, adj)) {
                    work.addAll(adj.get(v).keySet());
                    work.add(v);
                }
                continue;
            }
            List<Integer> nbrs = new ArrayList<>(adj.get(v).keySet());
            if (finiteChoices(cost[v]) <= 1 || nbrs.isEmpty()) {
                int j = argmin(cost[v]);
                for (int u : nbrs) {
                    double[][] m = adj.get(u).remove(v);
                    for (int i = 0; i < cost[u].length; i++) {
                        cost[u][i] += m[i][j];
                    }
                    work.add(u);
                }
                steps.add(new Fixed(v, j));
            } else if (nbrs.size() == 1) {
                int u = nbrs.get(0);
                double[][] m = adj.get(u).remove(v);
                int[] arg = new int[cost[u].length];
                for (int i = 0; i < arg.length; i++) {
                    double best = Double.POSITIVE_INFINITY;
                    for (int j = 0; j < cost[v].length; j++) {
                        double c = cost[v][j] + m[i][j];
                        if (c < best) {
                            best = c;
                            arg[i] = j;
                        }
                    }
                    cost[u][i] += best;
                }
                steps.add(new GivenOne(v, u, arg));
                work.add(u);
            } else {
                int u = nbrs.get(0);
                int w = nbrs.get(1);
                double[][] mu = adj.get(u).remove(v);
                double[][] mw = adj.get(w).remove(v);
                double[][] m = new double[cost[u].length][cost[w].length];
                int[][] arg = new int[cost[u].length][cost[w].length];
                for (int i = 0; i < m.length; i++) {
                    for (int k = 0; k < m[i].length; k++) {
                        double best = Double.POSITIVE_INFINITY;
                        for (int j = 0; j < cost[v].length; j++) {
                            double c = cost[v][j] + mu[i][j] + mw[k][j];
                            if (c < best) {
                                best = c;
                                arg[i][k] = j;
                            }
                        }
                        m[i][k] = best;
                    }
                }
                addEdge(adj, u, w, m);
                steps.add(new GivenTwo(v, u, w, arg));
                work.add(u);
                work.add(w);
            }
            adj.get(v).clear();
            gone[v] = true;
        }
        return new VariableElimination(remaining(cost, adj, gone), keptIndices(gone), steps, n);
    }

    /**
     * Whether eliminating v, between u and w, would enlarge the problem: the new u–w edge has
     * |u|·|w| entries where v's two edges had |u|·|v| + |v|·|w| (a small parameter between two large
     * matmuls is cheaper kept).
     */
    private static boolean grows(int v, double[][] cost, List<Map<Integer, double[][]>> adj) {
        long[] k = new long[2];
        int x = 0;
        for (int u : adj.get(v).keySet()) {
            k[x++] = finiteChoices(cost[u]);
        }
        long kv = finiteChoices(cost[v]);
        return k[0] * k[1] > kv * (k[0] + k[1]);
    }

    /**
     * Forbids (cost +∞) every choice of v that another choice matches or beats on v's own cost and on
     * every edge whatever the neighbour chooses: some optimum avoids it. Of equal choices the first
     * stays. Returns whether anything was forbidden.
     */
    private static boolean pruneDominated(int v, double[][] cost, List<Map<Integer, double[][]>> adj) {
        double[] c = cost[v];
        List<double[][]> rows = new ArrayList<>();
        List<double[]> columns = new ArrayList<>();
        adj.get(v).forEach((u, m) -> {
            rows.add(m);
            columns.add(cost[u]);
        });
        boolean pruned = false;
        for (int i = 0; i < c.length; i++) {
            if (c[i] == Double.POSITIVE_INFINITY) {
                continue;
            }
            for (int j = 0; j < c.length; j++) {
                if (j != i && c[j] <= c[i] && c[j] < Double.POSITIVE_INFINITY && (c[j] < c[i] || j < i || !equalRows(rows, i, j))
                        && dominates(rows, columns, j, i)) {
                    c[i] = Double.POSITIVE_INFINITY;
                    pruned = true;
                    break;
                }
            }
        }
        return pruned;
    }

    /** Row j ≤ row i on every edge, over the neighbours' choices that are still allowed. */
    private static boolean dominates(List<double[][]> rows, List<double[]> columns, int j, int i) {
        for (int e = 0; e < rows.size(); e++) {
            double[] a = rows.get(e)[j];
            double[] b = rows.get(e)[i];
            double[] allowed = columns.get(e);
            for (int k = 0; k < a.length; k++) {
                if (a[k] > b[k] && allowed[k] < Double.POSITIVE_INFINITY) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean equalRows(List<double[][]> rows, int i, int j) {
        for (double[][] m : rows) {
            if (!Arrays.equals(m[i], m[j])) {
                return false;
            }
        }
        return true;
    }

    private static IlpProblem remaining(double[][] cost, List<Map<Integer, double[][]>> adj, boolean[] gone) {
        int[] kept = keptIndices(gone);
        int[] index = new int[gone.length];
        for (int k = 0; k < kept.length; k++) {
            index[kept[k]] = k;
        }
        List<double[]> costs = new ArrayList<>();
        List<IlpProblem.Edge> edges = new ArrayList<>();
        for (int v : kept) {
            costs.add(cost[v]);
            for (Map.Entry<Integer, double[][]> e : adj.get(v).entrySet()) {
                if (v < e.getKey()) {
                    edges.add(new IlpProblem.Edge(index[v], index[e.getKey()], e.getValue()));
                }
            }
        }
        return new IlpProblem(costs, edges, List.of());
    }

    private static int[] keptIndices(boolean[] gone) {
        List<Integer> k = new ArrayList<>();
        for (int v = 0; v < gone.length; v++) {
            if (!gone[v]) {
                k.add(v);
            }
        }
        return k.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Stores the edge in both directions ([own choice][other's choice]), summing with an existing one. */
    private static void addEdge(List<Map<Integer, double[][]>> adj, int u, int v, double[][] m) {
        double[][] uv = adj.get(u).get(v);
        if (uv == null) {
            adj.get(u).put(v, copy(m));
            adj.get(v).put(u, transpose(m));
            return;
        }
        double[][] vu = adj.get(v).get(u);
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                uv[i][j] += m[i][j];
                vu[j][i] += m[i][j];
            }
        }
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[m.length == 0 ? 0 : m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[i].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }

    private static int finiteChoices(double[] c) {
        int n = 0;
        for (double x : c) {
            if (x < Double.POSITIVE_INFINITY) {
                n++;
            }
        }
        return n;
    }

    private static int argmin(double[] c) {
        int a = 0;
        for (int i = 1; i < c.length; i++) {
            if (c[i] < c[a]) {
                a = i;
            }
        }
        return a;
    }
}
