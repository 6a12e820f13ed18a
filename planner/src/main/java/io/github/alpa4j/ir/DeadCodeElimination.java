package io.github.alpa4j.ir;

import java.util.HashMap;
import java.util.Map;

/**
 * Removes nodes whose values reach no named output, no gradient and no update. Autodiff builds the
 * gradient of every operand of an op and then keeps only those a parameter needs, so a training graph
 * carries a few such nodes (the gradient of a fed input, for instance); planning and running them
 * would cost time and communication for nothing.
 */
public final class DeadCodeElimination {
    private DeadCodeElimination() {
    }

    /** The graph without dead nodes, in the same order, with names, phases and records kept; {@code g} itself if none is dead. */
    public static Graph apply(Graph g) {
        boolean[] live = new boolean[g.size()];
        g.outputs().values().forEach(id -> live[id] = true);
        g.gradients().forEach((p, d) -> {
            live[p] = true;
            live[d] = true;
        });
        for (Graph.Update u : g.updates()) {
            live[u.variable()] = true;
            live[u.value()] = true;
        }
        boolean allLive = true;
        for (int id = g.size() - 1; id >= 0; id--) {
            if (live[id]) {
                for (int in : g.node(id).inputs()) {
                    live[in] = true;
                }
            } else {
                allLive = false;
            }
        }
        if (allLive) {
            return g;
        }
        GraphBuilder b = new GraphBuilder();
        Map<Integer, Value> renamed = new HashMap<>();
        for (Node n : g.nodes()) {
            if (!live[n.id()]) {
                continue;
            }
            Value[] in = n.inputs().stream().map(renamed::get).toArray(Value[]::new);
            b.setPhase(n.phase());
            renamed.put(n.id(), b.apply(n.op(), n.name(), in));
        }
        g.outputs().forEach((name, id) -> b.output(name, renamed.get(id)));
        g.gradients().forEach((p, d) -> b.gradient(renamed.get(p), renamed.get(d)));
        g.updates().forEach(u -> b.update(renamed.get(u.variable()), renamed.get(u.value())));
        return b.build();
    }
}
