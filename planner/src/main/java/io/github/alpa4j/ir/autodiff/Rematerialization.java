package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rematerialisation (activation checkpointing, as Alpa's {@code use_remat} and Megatron's
 * {@code --recompute-granularity full}): a layer's forward values are dropped after the forward pass
 * and recomputed at the start of its backward pass, from the values it keeps, its checkpoints. A value
 * is recomputed when its layer is given, it is computed (not a source), it is no graph output, no
 * forward node of another layer reads it (a layer's output, the next layer's input, is its checkpoint)
 * and it is not a parameter's cast (the low-precision weight copy, kept for the whole step). The
 * backward nodes that read it read its copy instead; the copies of a layer are emitted, as backward
 * nodes, just before the first backward node that reads one of them. The forward values of the layer
 * then die after its forward pass, and the backward pass pays its forward's compute once more.
 */
public final class Rematerialization {
    /** The graph with recomputation, and where each node of the original went. */
    public record Result(Graph graph, int[] idOf, int[] copyOf) {
        /** Whether node {@code v} of the original graph is recomputed in the backward pass. */
        public boolean recomputed(int v) {
            return copyOf[v] >= 0;
        }
    }

    private Rematerialization() {
    }

    /**
     * {@code g} with every eligible forward value of layer {@code layerOf[v] ≥ 0} recomputed in the backward
     * pass ({@code layerOf[v] = -1}: never recomputed). {@code idOf[v]} is node v's id in the result;
     * {@code copyOf[v]} its recomputed copy's id, or -1.
     */
    public static Result apply(Graph g, int[] layerOf) {
        boolean[] recompute = eligible(g, layerOf);
        // each layer's copies go just before the first backward node that reads one of its recomputed values
        Map<Integer, Set<Integer>> layersAt = new HashMap<>();
        Set<Integer> placed = new HashSet<>();
        for (Node n : g.nodes()) {
            if (n.phase() != Phase.FORWARD) {
                for (int in : n.inputs()) {
                    if (recompute[in] && placed.add(layerOf[in])) {
                        layersAt.computeIfAbsent(n.id(), k -> new TreeSet<>()).add(layerOf[in]);
                    }
                }
            }
        }
        boolean[] needed = needed(g, recompute);
        GraphBuilder b = new GraphBuilder();
        int[] idOf = new int[g.size()];
        int[] copyOf = new int[g.size()];
        Arrays.fill(copyOf, -1);
        for (Node n : g.nodes()) {
            for (int layer : layersAt.getOrDefault(n.id(), Set.of())) {
                b.setPhase(Phase.BACKWARD);
                for (Node c : g.nodes()) {
                    if (needed[c.id()] && layerOf[c.id()] == layer) {
                        Value[] in = new Value[c.inputs().size()];
                        for (int k = 0; k < in.length; k++) {
                            int x = c.input(k);
                            in[k] = b.value(recompute[x] ? copyOf[x] : idOf[x]);
                        }
                        copyOf[c.id()] = b.apply(c.op(), c.name() + "/recompute", in).id();
                    }
                }
            }
            Value[] in = new Value[n.inputs().size()];
            for (int k = 0; k < in.length; k++) {
                int x = n.input(k);
                in[k] = b.value(n.phase() != Phase.FORWARD && recompute[x] ? copyOf[x] : idOf[x]);
            }
            b.setPhase(n.phase());
            idOf[n.id()] = b.apply(n.op(), n.name(), in).id();
        }
        g.outputs().forEach((name, id) -> b.output(name, b.value(idOf[id])));
        g.gradients().forEach((p, d) -> b.gradient(b.value(idOf[p]), b.value(idOf[d])));
        for (Graph.Update u : g.updates()) {
            b.update(b.value(idOf[u.variable()]), b.value(idOf[u.value()]));
        }
        return new Result(b.build(), idOf, copyOf);
    }

    private static boolean[] eligible(Graph g, int[] layerOf) {
        Set<Integer> outputs = new HashSet<>(g.outputs().values());
        boolean[] r = new boolean[g.size()];
        for (Node n : g.nodes()) {
            int v = n.id();
            if (n.phase() != Phase.FORWARD || n.isSource() || layerOf[v] < 0 || outputs.contains(v)
                    || n.op() instanceof ElementwiseOp.Cast && g.node(n.input(0)).isParameter()) {
                continue;
            }
            r[v] = g.users(v).stream().map(g::node).noneMatch(u -> u.phase() == Phase.FORWARD && layerOf[u.id()] != layerOf[v]);
        }
        return r;
    }

    /** Recomputed values a backward node reads, and the recomputed values those are computed from. */
    private static boolean[] needed(Graph g, boolean[] recompute) {
        boolean[] needed = new boolean[g.size()];
        for (Node n : g.nodes()) {
            if (n.phase() != Phase.FORWARD) {
                for (int in : n.inputs()) {
                    needed[in] |= recompute[in];
                }
            }
        }
        for (int v = g.size() - 1; v >= 0; v--) {
            if (needed[v]) {
                for (int in : g.node(v).inputs()) {
                    needed[in] |= recompute[in];
                }
            }
        }
        return needed;
    }
}
