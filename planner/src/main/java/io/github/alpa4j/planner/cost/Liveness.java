package io.github.alpa4j.planner.cost;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import java.util.ArrayList;
import java.util.List;

/**
 * When each tensor of a step is held, for the memory budget (REFERENCES §1). Steps are the nodes in
 * graph order. Parameters, optimizer states and fed inputs are held from the start; variables, graph
 * outputs and update values to the end; every other tensor from its node to its last reader.
 * {@code peakSteps} are the steps whose live sets are maximal (the maximal cliques of the interval
 * graph), the only ones a memory constraint needs.
 */
public record Liveness(int[] born, int[] dies, int[] peakSteps) {

    public static Liveness of(Graph g) {
        int n = g.size();
        int[] born = new int[n];
        int[] dies = new int[n];
        for (Node v : g.nodes()) {
            boolean atStart = v.isVariable() || v.op() instanceof SourceOp.Input;
            born[v.id()] = atStart ? 0 : v.id();
            dies[v.id()] = v.isVariable() ? n - 1 : v.id();
            for (int in : v.inputs()) {
                dies[in] = Math.max(dies[in], v.id());
            }
        }
        for (int out : g.outputs().values()) {
            dies[out] = n - 1;
        }
        for (Graph.Update u : g.updates()) {
            dies[u.value()] = n - 1;
        }
        boolean[] diesAt = new boolean[n];
        boolean[] bornAt = new boolean[n];
        for (int v = 0; v < n; v++) {
            diesAt[dies[v]] = true;
            bornAt[born[v]] = true;
        }
        List<Integer> peaks = new ArrayList<>();
        boolean grown = false;
        for (int t = 0; t < n; t++) {
            grown |= bornAt[t];
            if (diesAt[t] && grown) {
                peaks.add(t);
                grown = false;
            }
        }
        return new Liveness(born, dies, peaks.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The most bytes held at once when node v holds {@code bytes[v]}: the largest sum over the nodes live
     * at one step (a sweep over the intervals; the maximum is reached at a {@link #peakSteps} step).
     */
    public long peakBytes(long[] bytes) {
        long[] delta = new long[born.length + 1];
        for (int v = 0; v < born.length; v++) {
            delta[born[v]] += bytes[v];
            delta[dies[v] + 1] -= bytes[v];
        }
        long held = 0;
        long peak = 0;
        for (int t = 0; t < born.length; t++) {
            held += delta[t];
            peak = Math.max(peak, held);
        }
        return peak;
    }

    public boolean liveAt(int node, int step) {
        return born[node] <= step && step <= dies[node];
    }

    /** Nodes held at {@code step}. */
    public List<Integer> live(int step) {
        List<Integer> out = new ArrayList<>();
        for (int v = 0; v < born.length; v++) {
            if (liveAt(v, step)) {
                out.add(v);
            }
        }
        return out;
    }
}
