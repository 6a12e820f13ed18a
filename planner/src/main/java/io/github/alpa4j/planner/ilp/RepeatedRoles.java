package io.github.alpa4j.planner.ilp;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Colours nodes by their role, so that the same op in each of a model's repeated layers gets one
 * colour: Weisfeiler–Lehman refinement for {@link #ROUNDS} rounds, starting from the op, its types,
 * its phase and the input it follows, and mixing in the colours of its inputs (by slot) and of its
 * users (by slot) each round. Full refinement would tell every layer apart, since the first and last
 * layers differ and the difference travels one hop per round; a few rounds keep the layers of a
 * stack alike while telling apart ops with different neighbourhoods (the q, k and v projections of
 * attention, say). Equal colours imply equal op, types and strategy lists.
 */
public final class RepeatedRoles {
    /** Rounds of refinement: enough to tell apart the projections of one attention block, few enough to keep a stack's layers alike. */
    public static final int ROUNDS = 3;

    private RepeatedRoles() {
    }

    /** One colour per node; {@code leaders[n]} is the input slot node n follows (part of its role). */
    public static int[] colours(Graph g, int[] leaders) {
        int n = g.size();
        int[] colour = new int[n];
        Map<List<Object>, Integer> ids = new HashMap<>();
        for (Node v : g.nodes()) {
            List<Object> label = List.of(v.op(), v.type(), g.inputTypes(v), v.phase(), leaders[v.id()],
                    g.outputs().containsValue(v.id()));
            colour[v.id()] = ids.computeIfAbsent(label, k -> ids.size());
        }
        for (int r = 0; r < ROUNDS; r++) {
            Map<List<Object>, Integer> next = new HashMap<>();
            int[] refined = new int[n];
            for (Node v : g.nodes()) {
                List<Object> key = new ArrayList<>();
                key.add(colour[v.id()]);
                for (int in : v.inputs()) {
                    key.add(colour[in]);
                }
                List<Long> uses = new ArrayList<>();
                for (int u : g.users(v.id())) {
                    Node user = g.node(u);
                    for (int k = 0; k < user.inputs().size(); k++) {
                        if (user.input(k) == v.id()) {
                            uses.add(((long) colour[u] << 8) | k);
                        }
                    }
                }
                Collections.sort(uses);
                key.add(uses);
                refined[v.id()] = next.computeIfAbsent(key, k -> next.size());
            }
            colour = refined;
        }
        return colour;
    }
}
