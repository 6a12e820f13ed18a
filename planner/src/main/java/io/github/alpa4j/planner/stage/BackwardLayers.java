package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places backward nodes in layers, given the layers of forward nodes and parameters (the rule is
 * explained on {@link Layering}). Along the backward sequence b_0, b_1, … (graph order) each node has
 * a lower bound lb (the largest layer of a forward value it reads, or of the parameter whose gradient
 * it is; none for some); the least non-increasing layering above the bounds is the suffix maximum.
 * Between the last bounded node of one level and the first node bounded at the next level down, the
 * unbounded nodes may go either way: the cut is put where the fewest bytes cross, later on ties (so an
 * accumulation add stays with the layer that emitted it and one sum crosses, not its two terms).
 */
final class BackwardLayers {
    private BackwardLayers() {
    }

    static void place(Graph g, int[] layer) {
        List<Integer> seq = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.phase() == Phase.BACKWARD && !n.isSource()) {
                seq.add(n.id());
            }
        }
        int k = seq.size();
        if (k == 0) {
            return;
        }
        Map<Integer, Integer> parameterOfGradient = new HashMap<>();
        g.gradients().forEach((p, d) -> parameterOfGradient.put(d, p));
        int[] lb = new int[k];
        for (int i = 0; i < k; i++) {
            Node b = g.node(seq.get(i));
            lb[i] = Layering.REPLICATED;
            for (int in : b.inputs()) {
                if (g.node(in).phase() == Phase.FORWARD) {
                    lb[i] = Math.max(lb[i], layer[in]);
                }
            }
            Integer p = parameterOfGradient.get(b.id());
            if (p != null) {
                lb[i] = Math.max(lb[i], layer[p]);
            }
        }
        int[] suffix = new int[k + 1];
        suffix[k] = Layering.REPLICATED;
        for (int i = k - 1; i >= 0; i--) {
            suffix[i] = Math.max(lb[i], suffix[i + 1]);
        }
        // pinned: bounded at the level the suffix maximum gives them; their layer is decided
        List<Integer> pinned = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            if (lb[i] >= 0 && lb[i] == suffix[i]) {
                pinned.add(i);
            }
        }
        if (pinned.isEmpty()) {
            seq.forEach(b -> layer[b] = 0);
            return;
        }
        long[] crossing = crossingBytes(g, seq);
        int[] assigned = new int[k];
        int first = pinned.get(0);
        for (int j = 0; j <= first; j++) {
            assigned[j] = lb[first];
        }
        for (int x = 1; x < pinned.size(); x++) {
            int p = pinned.get(x - 1);
            int q = pinned.get(x);
            int cut = q;
            if (lb[p] != lb[q]) {
                for (int t = q - 1; t > p; t--) {
                    if (crossing[t] < crossing[cut]) {
                        cut = t;
                    }
                }
            }
            for (int j = p + 1; j <= q; j++) {
                assigned[j] = j < cut ? lb[p] : lb[q];
            }
        }
        int last = pinned.get(pinned.size() - 1);
        for (int j = last + 1; j < k; j++) {
            assigned[j] = lb[last];
        }
        for (int j = 0; j < k; j++) {
            layer[seq.get(j)] = assigned[j];
        }
    }

    /**
     * crossing[t]: bytes of backward values emitted before position t and read at t or later, for a
     * cut just before position t of the backward sequence.
     */
    private static long[] crossingBytes(Graph g, List<Integer> seq) {
        int k = seq.size();
        Map<Integer, Integer> pos = new HashMap<>();
        for (int i = 0; i < k; i++) {
            pos.put(seq.get(i), i);
        }
        long[] diff = new long[k + 2];
        for (int i = 0; i < k; i++) {
            int lastReader = -1;
            for (int u : g.users(seq.get(i))) {
                Integer p = pos.get(u);
                if (p != null) {
                    lastReader = Math.max(lastReader, p);
                }
            }
            if (lastReader > i) {
                long bytes = g.node(seq.get(i)).type().bytes();
                diff[i + 1] += bytes;
                diff[lastReader + 1] -= bytes;
            }
        }
        long[] crossing = new long[k + 1];
        long run = 0;
        for (int t = 0; t <= k; t++) {
            run += diff[t];
            crossing[t] = run;
        }
        return crossing;
    }
}
