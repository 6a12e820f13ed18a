package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * When each tensor of a step can be freed. A reshape shares its input's storage, so a storage
 * lives until the last reader of any node that aliases it; variables and kept nodes are never
 * freed inside a step.
 */
final class Liveness {
    private final boolean[] owns;
    private final List<List<Integer>> freedAfter;

    private Liveness(boolean[] owns, List<List<Integer>> freedAfter) {
        this.owns = owns;
        this.freedAfter = freedAfter;
    }

    static Liveness of(Graph g, Set<Integer> keep) {
        int n = g.size();
        int[] storage = new int[n];
        boolean[] owns = new boolean[n];
        for (Node node : g.nodes()) {
            boolean alias = node.op() instanceof LayoutOp.Reshape;
            storage[node.id()] = alias ? storage[node.input(0)] : node.id();
            owns[node.id()] = !alias && !node.isVariable();
        }
        int[] last = new int[n];
        boolean[] pinned = new boolean[n];
        for (Node node : g.nodes()) {
            int s = storage[node.id()];
            last[s] = Math.max(last[s], node.id());
            for (int in : node.inputs()) {
                last[storage[in]] = Math.max(last[storage[in]], node.id());
            }
            if (keep.contains(node.id()) || node.isVariable()) {
                pinned[s] = true;
            }
        }
        List<List<Integer>> freed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            freed.add(new ArrayList<>());
        }
        for (int s = 0; s < n; s++) {
            if (owns[s] && !pinned[s]) {
                freed.get(last[s]).add(s);
            }
        }
        return new Liveness(owns, freed);
    }

    /** True if the node has storage of its own (not a variable, not an alias). */
    boolean ownsStorage(int id) {
        return owns[id];
    }

    /** Storages (by owning node) whose last reader is node {@code id}. */
    List<Integer> freedAfter(int id) {
        return freedAfter.get(id);
    }
}
