package io.github.alpa4j.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable dataflow graph in topological order. Besides its nodes it records named outputs
 * (such as {@code loss}), the gradient of each parameter, and the updates of a training step:
 * after a step each variable (parameter or optimizer state) takes the value of its update node.
 */
public final class Graph {
    /** After a step, {@code variable} takes the value computed by {@code value}. */
    public record Update(int variable, int value) {
    }

    private final List<Node> nodes;
    private final Map<String, Integer> outputs;
    private final Map<Integer, Integer> gradients;
    private final List<Update> updates;
    private List<List<Integer>> users;
    private boolean[] perIteration;

    Graph(List<Node> nodes, Map<String, Integer> outputs, Map<Integer, Integer> gradients, List<Update> updates) {
        this.nodes = List.copyOf(nodes);
        this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
        this.updates = List.copyOf(updates);
        for (int i = 0; i < this.nodes.size(); i++) {
            Node n = this.nodes.get(i);
            if (n.id() != i) {
                throw new IllegalArgumentException("node ids must equal their positions: " + n);
            }
            for (int in : n.inputs()) {
                if (in < 0 || in >= i) {
                    throw new IllegalArgumentException("graph is not in topological order at " + n);
                }
            }
        }
        for (Update u : this.updates) {
            Node v = node(u.variable());
            if (!v.isVariable() || !v.type().equals(node(u.value()).type())) {
                throw new IllegalArgumentException("bad update " + u + " of " + v);
            }
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    public Map<String, Integer> outputs() {
        return outputs;
    }

    /** The node of a named output; throws if there is none. */
    public int output(String name) {
        Integer id = outputs.get(name);
        if (id == null) {
            throw new IllegalArgumentException("graph has no output '" + name + "'; it has " + outputs.keySet());
        }
        return id;
    }

    /** Parameter id → id of the node holding its gradient (empty for a forward graph). */
    public Map<Integer, Integer> gradients() {
        return gradients;
    }

    public List<Update> updates() {
        return updates;
    }

    public boolean isTraining() {
        return !updates.isEmpty();
    }

    /** The same graph with only the named outputs (a training step needs its loss, not its logits). */
    public Graph keepOutputs(java.util.Collection<String> names) {
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (String name : names) {
            kept.put(name, output(name));
        }
        return new Graph(nodes, kept, gradients, updates);
    }

    public List<Node> parameters() {
        return nodes.stream().filter(Node::isParameter).toList();
    }

    public List<Node> variables() {
        return nodes.stream().filter(Node::isVariable).toList();
    }

    public List<Node> inputs() {
        return nodes.stream().filter(n -> n.op() instanceof SourceOp.Input).toList();
    }

    /** The input node with this name. */
    public Node input(String name) {
        return inputs().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("graph has no input '" + name + "'"));
    }

    /**
     * For each node, whether it is a forward value computed from variables alone (a parameter's cast to the
     * compute type, in mixed precision): the same for every microbatch of an iteration, so a pipeline
     * computes it once per iteration, before the first microbatch, and holds one copy of it.
     */
    public boolean perIteration(int node) {
        if (perIteration == null) {
            boolean[] r = new boolean[nodes.size()];
            for (Node n : nodes) {
                boolean fromVariables = !n.inputs().isEmpty() && n.phase() == Phase.FORWARD;
                for (int in : n.inputs()) {
                    fromVariables &= nodes.get(in).isVariable() || r[in];
                }
                r[n.id()] = fromVariables;
            }
            perIteration = r;
        }
        return perIteration[node];
    }

    /** For each node, the nodes that read it, in increasing order. */
    public List<Integer> users(int id) {
        if (users == null) {
            List<List<Integer>> u = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                u.add(new ArrayList<>());
            }
            for (Node n : nodes) {
                for (int in : n.inputs()) {
                    if (!u.get(in).contains(n.id())) {
                        u.get(in).add(n.id());
                    }
                }
            }
            users = u.stream().map(List::copyOf).toList();
        }
        return users.get(id);
    }

    /** Input types of a node. */
    public List<TensorType> inputTypes(Node n) {
        return n.inputs().stream().map(i -> nodes.get(i).type()).toList();
    }

    public long flops(Node n) {
        return n.op().flops(inputTypes(n), n.type());
    }

    public long totalFlops() {
        long f = 0;
        for (Node n : nodes) {
            f += flops(n);
        }
        return f;
    }

    public long parameterCount() {
        return parameters().stream().mapToLong(n -> n.type().size()).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append(n).append('\n');
        }
        outputs.forEach((k, v) -> sb.append("output ").append(k).append(" = %").append(v).append('\n'));
        for (Update u : updates) {
            sb.append("update %").append(u.variable()).append(" <- %").append(u.value()).append('\n');
        }
        return sb.toString();
    }
}
