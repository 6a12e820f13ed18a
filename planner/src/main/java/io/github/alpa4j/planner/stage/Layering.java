package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The layer of every node of a training graph: forward, backward and update nodes alike, so that a
 * pipeline stage (a range of layers) owns its forward computation, the backward computation that
 * differentiates it, and the optimizer update of its parameters.
 *
 * <p>Forward non-source nodes get their layer from a clustering (contiguous in graph order). The rest
 * follow structurally:
 * <ul>
 * <li>a parameter goes with its first forward reader;</li>
 * <li>backward nodes: autodiff emits the backward nodes of forward node n as one block, blocks in
 * decreasing order of n, so along the backward sequence the layers can only fall. A backward node
 * reading a forward value of layer l, or holding the gradient of a parameter of layer l, was emitted
 * for a node of layer ≥ l (a lower bound); the layering is the least non-increasing one above these
 * bounds, except that the nodes bound by nothing between two layers' bounded nodes (accumulation adds,
 * reshapes of incoming gradients) are cut where the fewest gradient bytes cross;</li>
 * <li>an update node goes with the latest layer among its inputs other than optimizer states, and a
 * state with its update;</li>
 * <li>fed inputs, constants, and states whose update depends on nothing else (AdamW's step counter),
 * with the update nodes that read only those, are {@link #REPLICATED}: each stage that reads them
 * holds its own copy.</li>
 * </ul>
 *
 * @param layerOf layer of each node of {@code graph}, or {@link #REPLICATED}
 */
public record Layering(Graph graph, int[] layerOf, int layerCount) {
    /** The layer of a node every stage that reads it holds a copy of. */
    public static final int REPLICATED = -1;

    public Layering {
        layerOf = layerOf.clone();
        if (layerOf.length != graph.size() || layerCount < 1) {
            throw new IllegalArgumentException("need a layer for each of " + graph.size() + " nodes and at least one layer");
        }
    }

    public int layer(int node) {
        return layerOf[node];
    }

    public boolean isReplicated(int node) {
        return layerOf[node] == REPLICATED;
    }

    /** Nodes of {@code layer}, in graph order. */
    public List<Integer> nodes(int layer) {
        List<Integer> out = new ArrayList<>();
        for (int v = 0; v < layerOf.length; v++) {
            if (layerOf[v] == layer) {
                out.add(v);
            }
        }
        return out;
    }

    /** Forward FLOPs of each layer (what the clustering balances). */
    public long[] forwardFlops() {
        long[] f = new long[layerCount];
        for (Node n : graph.nodes()) {
            if (n.phase() == Phase.FORWARD && layerOf[n.id()] >= 0) {
                f[layerOf[n.id()]] += graph.flops(n);
            }
        }
        return f;
    }

    /** True for forward nodes that are not sources: the nodes a clustering places. */
    static boolean isClustered(Node n) {
        return n.phase() == Phase.FORWARD && !n.isSource();
    }

    /**
     * Completes a layering from the layer of each forward non-source node, given in graph order
     * ({@code forward[i]} for the i-th such node; non-decreasing, from 0 to {@code layers - 1}).
     */
    static Layering fromForward(Graph g, int[] forward, int layers) {
        int[] layer = new int[g.size()];
        Arrays.fill(layer, REPLICATED);
        int k = 0;
        for (Node n : g.nodes()) {
            if (isClustered(n)) {
                if (k > 0 && forward[k] < forward[k - 1] || forward[k] < 0 || forward[k] >= layers) {
                    throw new IllegalArgumentException("forward layers must rise from 0 to " + (layers - 1));
                }
                layer[n.id()] = forward[k++];
            }
        }
        if (k != forward.length) {
            throw new IllegalArgumentException("expected " + k + " forward layers, got " + forward.length);
        }
        placeParameters(g, layer, Phase.FORWARD);
        BackwardLayers.place(g, layer);
        placeParameters(g, layer, null);
        placeUpdates(g, layer);
        return new Layering(g, layer, layers);
    }

    /** A parameter goes with its first reader in {@code phase} (any phase if null); one without readers with layer 0. */
    private static void placeParameters(Graph g, int[] layer, Phase phase) {
        for (Node p : g.parameters()) {
            if (layer[p.id()] != REPLICATED) {
                continue;
            }
            for (int u : g.users(p.id())) {
                if ((phase == null || g.node(u).phase() == phase) && layer[u] != REPLICATED) {
                    layer[p.id()] = layer[u];
                    break;
                }
            }
            if (phase == null && layer[p.id()] == REPLICATED) {
                layer[p.id()] = 0;
            }
        }
    }

    private static void placeUpdates(Graph g, int[] layer) {
        for (Node n : g.nodes()) {
            if (n.phase() == Phase.UPDATE && !n.isSource()) {
                for (int in : n.inputs()) {
                    if (!(g.node(in).op() instanceof SourceOp.State)) {
                        layer[n.id()] = Math.max(layer[n.id()], layer[in]);
                    }
                }
            }
        }
        for (Graph.Update u : g.updates()) {
            if (g.node(u.variable()).op() instanceof SourceOp.State) {
                layer[u.variable()] = layer[u.value()];
            }
        }
    }
}
