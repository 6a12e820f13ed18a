package io.github.alpa4j.planner.ilp;

import java.util.ArrayList;
import java.util.List;

/**
 * The intra-operator ILP of REFERENCES §1 in the abstract: variables with a cost per choice, pairwise
 * edge costs, and memory rows. Minimise Σ_v c_v[s_v] + Σ_(u,v) R_uv[s_u][s_v] subject to, for every
 * memory row, Σ_v bytes[s_v] ≤ budget. An infinite cost forbids a choice or a pair.
 *
 * @param costs  cost of each choice of each variable, in seconds
 * @param edges  at most one edge per pair of variables, {@code u < v}
 * @param memory one row per liveness step that may peak
 */
public record IlpProblem(List<double[]> costs, List<Edge> edges, List<MemoryRow> memory) {
    public IlpProblem {
        costs = List.copyOf(costs);
        edges = List.copyOf(edges);
        memory = List.copyOf(memory);
    }

    /** R[i][j]: the cost when u takes choice i and v choice j. */
    public record Edge(int u, int v, double[][] cost) {
    }

    /** Bytes held at one step: variable {@code vars[k]} holds {@code bytes[k][choice]}. */
    public record MemoryRow(int step, int[] vars, long[][] bytes) {
        public long at(int[] choice) {
            long b = 0;
            for (int k = 0; k < vars.length; k++) {
                b += bytes[k][choice[vars[k]]];
            }
            return b;
        }
    }

    public int varCount() {
        return costs.size();
    }

    public int choices(int v) {
        return costs.get(v).length;
    }

    public double objective(int[] choice) {
        double o = 0;
        for (int v = 0; v < costs.size(); v++) {
            o += costs.get(v)[choice[v]];
        }
        for (Edge e : edges) {
            o += e.cost[choice[e.u]][choice[e.v]];
        }
        return o;
    }

    /** The largest memory row under {@code choice}; 0 without memory rows. */
    public long peakMemory(int[] choice) {
        long peak = 0;
        for (MemoryRow r : memory) {
            peak = Math.max(peak, r.at(choice));
        }
        return peak;
    }

    /** A feasible start: each variable in order takes its cheapest choice given those before it. */
    public int[] greedy() {
        int n = varCount();
        List<List<Edge>> back = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            back.add(new ArrayList<>());
        }
        for (Edge e : edges) {
            back.get(e.v).add(e);
        }
        int[] choice = new int[n];
        for (int v = 0; v < n; v++) {
            double best = Double.POSITIVE_INFINITY;
            int arg = 0;
            for (int j = 0; j < choices(v); j++) {
                double c = costs.get(v)[j];
                for (Edge e : back.get(v)) {
                    c += e.cost[choice[e.u]][j];
                }
                if (c < best) {
                    best = c;
                    arg = j;
                }
            }
            choice[v] = arg;
        }
        return choice;
    }
}
