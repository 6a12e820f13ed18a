package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Rematerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a training graph that one pipeline stage runs: the nodes of layers {@code first..last},
 * the replicated nodes they read (fed inputs, constants, AdamW's step counter), and one input node per
 * value received from another stage. Nodes keep their op, name and phase; a received value becomes a
 * {@link SourceOp.Input} of its type, named and phased as the node it stands for. Every value another
 * stage reads becomes a named output {@code transfer/<id>} (id in the training graph); named outputs of
 * the training graph that the stage computes keep their names; the stage's parameters keep their
 * gradients and its variables their updates. The engine lowers this graph with the stage's plan.
 */
public final class StageGraph {
    /** Prefix of the output name of a value sent to another stage. */
    public static final String TRANSFER = "transfer/";

    private final Graph graph;
    private final int[] original;
    private final Map<Integer, Integer> local = new HashMap<>();
    private final Map<Integer, Integer> recomputedLocal = new HashMap<>();
    private final List<Integer> received;
    private final List<Integer> sent;

    private StageGraph(Graph graph, int[] original, List<Integer> received, List<Integer> sent) {
        this.graph = graph;
        this.original = original;
        for (int i = 0; i < original.length; i++) {
            // a recomputed copy (rematerialisation) comes after the node it copies: local() gives the forward node
            if (local.putIfAbsent(original[i], i) != null) {
                recomputedLocal.put(original[i], i);
            }
        }
        this.received = received.stream().sorted().toList();
        this.sent = List.copyOf(sent);
    }

    /**
     * This stage with its layers rematerialised ({@link Rematerialization}, by the layers of {@code layering}):
     * each layer's forward values recomputed in its backward pass but its checkpoints, the values it sends
     * and receives. Received, sent and {@link #local} stay as they were; a copy's {@link #original} is the
     * node it copies, found by {@link #recomputedLocal}.
     */
    public StageGraph recomputed(Layering layering) {
        int[] layerOf = new int[graph.size()];
        for (int i = 0; i < layerOf.length; i++) {
            layerOf[i] = layering.layer(original[i]);
        }
        Rematerialization.Result r = Rematerialization.apply(graph, layerOf);
        int[] orig = new int[r.graph().size()];
        for (int i = 0; i < original.length; i++) {
            orig[r.idOf()[i]] = original[i];
            if (r.recomputed(i)) {
                orig[r.copyOf()[i]] = original[i];
            }
        }
        return new StageGraph(r.graph(), orig, received, sent);
    }

    /** The node of {@link #graph()} that recomputes training-graph node {@code v} in the backward pass, or -1. */
    public int recomputedLocal(int v) {
        return recomputedLocal.getOrDefault(v, -1);
    }

    /** Whether node {@code i} of {@link #graph()} is a recomputed copy. */
    public boolean isRecomputed(int i) {
        return recomputedLocal.getOrDefault(original[i], -1) == i;
    }

    /** The graph of layers {@code first..last} (inclusive) of {@code layering}. */
    public static StageGraph of(Layering layering, int first, int last) {
        Graph g = layering.graph();
        if (first < 0 || last < first || last >= layering.layerCount()) {
            throw new IllegalArgumentException("bad layer range " + first + ".." + last + " of " + layering.layerCount());
        }
        boolean[] own = new boolean[g.size()];
        for (int v = 0; v < g.size(); v++) {
            own[v] = layering.layer(v) >= first && layering.layer(v) <= last;
        }
        boolean[] need = replicatedClosure(g, layering, own);
        GraphBuilder b = new GraphBuilder();
        Value[] local = new Value[g.size()];
        List<Integer> orig = new ArrayList<>();
        List<Integer> received = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!need[n.id()]) {
                continue;
            }
            Value[] in = new Value[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                in[k] = value(g, b, local, orig, received, n.input(k));
            }
            b.setPhase(n.phase());
            local[n.id()] = b.apply(n.op(), n.name(), in);
            orig.add(n.id());
        }
        List<Integer> sent = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (own[n.id()] && g.users(n.id()).stream().anyMatch(u -> !need[u])) {
                sent.add(n.id());
                b.output(TRANSFER + n.id(), local[n.id()]);
            }
        }
        g.outputs().forEach((name, id) -> {
            if (own[id]) {
                b.output(name, local[id]);
            }
        });
        g.gradients().forEach((p, d) -> {
            if (own[p]) {
                b.gradient(local[p], value(g, b, local, orig, received, d));
            }
        });
        for (Graph.Update u : g.updates()) {
            if (need[u.variable()]) {
                b.update(local[u.variable()], value(g, b, local, orig, received, u.value()));
            }
        }
        return new StageGraph(b.build(), orig.stream().mapToInt(Integer::intValue).toArray(), received, sent);
    }

    /** The stage's graph. */
    public Graph graph() {
        return graph;
    }

    /** The training-graph node that node {@code i} of {@link #graph()} copies or receives. */
    public int original(int i) {
        return original[i];
    }

    /** The node of {@link #graph()} that copies or receives training-graph node {@code v}, or -1. */
    public int local(int v) {
        return local.getOrDefault(v, -1);
    }

    /** Training-graph nodes whose values this stage receives from other stages, in graph order. */
    public List<Integer> received() {
        return received;
    }

    /** Training-graph nodes of this stage whose values other stages read, in graph order. */
    public List<Integer> sent() {
        return sent;
    }

    /** Own nodes, plus the replicated nodes they read directly or through other replicated nodes, plus their updates. */
    private static boolean[] replicatedClosure(Graph g, Layering layering, boolean[] own) {
        boolean[] need = own.clone();
        boolean grown = true;
        while (grown) {
            grown = false;
            for (int v = g.size() - 1; v >= 0; v--) {
                if (!need[v]) {
                    continue;
                }
                for (int in : g.node(v).inputs()) {
                    if (!need[in] && layering.isReplicated(in)) {
                        need[in] = true;
                        grown = true;
                    }
                }
            }
            for (Graph.Update u : g.updates()) {
                if (need[u.variable()] && !need[u.value()] && layering.isReplicated(u.value())) {
                    need[u.value()] = true;
                    grown = true;
                }
            }
        }
        return need;
    }

    /** The local value of training-graph node {@code v}: its copy, or an input receiving it (made on first use). */
    private static Value value(Graph g, GraphBuilder b, Value[] local, List<Integer> orig, List<Integer> received, int v) {
        if (local[v] == null) {
            Node n = g.node(v);
            b.setPhase(n.phase());
            local[v] = b.input(n.name(), n.type(), SourceOp.InputKind.DATA);
            orig.add(v);
            received.add(v);
        }
        return local[v];
    }

    @Override
    public String toString() {
        return "StageGraph[" + graph.size() + " nodes, receives " + received + ", sends " + sent + "]";
    }
}
