package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The structure of a stage graph without its names: ops, types, phases and edges by position, which
 * outputs are transfers or named, and the gradient and update records. Two layers (or stages) with
 * equal signatures have the same strategy spaces and ILP, so one solve serves both: the blocks of a
 * GPT are solved once.
 */
final class GraphSignature {
    private GraphSignature() {
    }

    static List<Object> of(Graph g) {
        List<Object> key = new ArrayList<>(g.size() + 3);
        for (Node n : g.nodes()) {
            key.add(List.of(n.op(), n.type(), n.phase(), n.inputs()));
        }
        List<Object> outputs = new ArrayList<>();
        for (Map.Entry<String, Integer> e : g.outputs().entrySet()) {
            outputs.add(List.of(e.getKey().startsWith(StageGraph.TRANSFER) ? StageGraph.TRANSFER : e.getKey(), e.getValue()));
        }
        key.add(outputs);
        key.add(List.copyOf(g.gradients().entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList()));
        key.add(g.updates());
        return key;
    }
}
