package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.PlanningException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Alpa's operator clustering (REFERENCES §2): the forward non-source nodes, in graph order, are cut into
 * L contiguous layers so that the largest communication across a cut is least, while each layer's FLOPs
 * stay ≤ (1+ε)·average. A cut's communication is the bytes of forward values produced before it and read
 * after it (a parameter counts from its first reader). Among the partitions with the least largest cut,
 * a second DP takes the least total cut, then (as Alpa's implementation) the most even op counts,
 * Σ (ops − average)²: on a stack of equal blocks that puts the cuts at the same place in each block,
 * so the layers repeat and their intra-op plans are solved once.
 */
public final class LayerClustering {
    /** The most layers the automatic choice makes: the stage DP's work grows as L³, and 48 keeps a 48-block GPT at a block per layer. */
    public static final int AUTO_LAYER_LIMIT = 48;
    /** Layer counts the automatic choice compares (the largest that keep the least largest cut). */
    public static final int AUTO_CANDIDATES = 8;

    private LayerClustering() {
    }

    /** The forward nodes the clustering places: forward, not sources. */
    public static int forwardNodeCount(Graph g) {
        return (int) g.nodes().stream().filter(Layering::isClustered).count();
    }

    /** Clusters {@code g}'s forward pass into {@code layers} layers and places every other node with them. */
    public static Layering cluster(Graph g, int layers, double epsilon) {
        List<Node> fwd = g.nodes().stream().filter(Layering::isClustered).toList();
        int n = fwd.size();
        if (layers < 1 || layers > n) {
            throw new PlanningException("cannot cluster " + n + " forward ops into " + layers + " layers; use 1 to " + n + " layers");
        }
        long[] prefix = prefixFlops(g, fwd);
        int[] forward = forwardLayers(prefix, cutBytes(g, fwd), layers, (1 + epsilon) * prefix[n] / layers);
        if (forward == null) {
            throw new PlanningException(String.format(Locale.ROOT,
                    "cannot cluster the forward pass into %d layers of at most (1+%.2f) x the average FLOPs; use fewer layers or a larger epsilon",
                    layers, epsilon));
        }
        return Layering.fromForward(g, forward, layers);
    }

    /** The layer of each forward node by the two DPs, or null if no partition meets the FLOPs cap. */
    private static int[] forwardLayers(long[] prefix, long[] cut, int layers, double cap) {
        int n = prefix.length - 1;
        double best = leastLargestCut(prefix, cut, layers, cap);
        if (best == Double.POSITIVE_INFINITY) {
            return null;
        }
        // pass 2: among cuts no larger than the best, the least total cut, then the most even op counts
        double avgOps = n / (double) layers;
        double[][] total = new double[layers + 1][n + 1];
        double[][] spread = new double[layers + 1][n + 1];
        int[][] from = new int[layers + 1][n + 1];
        for (int k = 0; k <= layers; k++) {
            Arrays.fill(total[k], Double.POSITIVE_INFINITY);
            Arrays.fill(spread[k], Double.POSITIVE_INFINITY);
        }
        total[0][0] = 0;
        spread[0][0] = 0;
        for (int k = 1; k <= layers; k++) {
            for (int i = k; i <= n - (layers - k); i++) {
                for (int j = i - 1; j >= k - 1 && prefix[i] - prefix[j] <= cap; j--) {
                    if (j > 0 && cut[j] > best || total[k - 1][j] == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    double t = total[k - 1][j] + (j == 0 ? 0 : cut[j]);
                    double d = i - j - avgOps;
                    double s = spread[k - 1][j] + d * d;
                    if (t < total[k][i] || t == total[k][i] && s < spread[k][i]) {
                        total[k][i] = t;
                        spread[k][i] = s;
                        from[k][i] = j;
                    }
                }
            }
        }
        int[] forward = new int[n];
        for (int k = layers, i = n; k > 0; i = from[k][i], k--) {
            for (int x = from[k][i]; x < i; x++) {
                forward[x] = k - 1;
            }
        }
        return forward;
    }

    /**
     * The layer count when none is given. Alpa's rule (its layer_num = "auto") takes the most layers,
     * L*, whose least largest cut is no larger than with two. Here up to {@link #AUTO_CANDIDATES} of
     * the counts from L* / 2 to L* that meet the rule are compared, and the one whose layers repeat most
     * (fewest distinct forward structures: each distinct layer is an ILP per logical mesh) wins, the
     * most layers on ties. L* is at most {@link #AUTO_LAYER_LIMIT}. On a 48-block GPT that is a block
     * per layer.
     */
    public static int autoLayers(Graph g, double epsilon) {
        List<Node> fwd = g.nodes().stream().filter(Layering::isClustered).toList();
        int n = fwd.size();
        if (n < 2) {
            return 1;
        }
        long[] prefix = prefixFlops(g, fwd);
        long[] cut = cutBytes(g, fwd);
        double two = leastLargestCut(prefix, cut, 2, (1 + epsilon) * prefix[n] / 2);
        if (two == Double.POSITIVE_INFINITY) {
            return 1;
        }
        int best = 2;
        int bestTypes = Integer.MAX_VALUE;
        int most = -1;
        int tried = 0;
        for (int l = Math.min(n, AUTO_LAYER_LIMIT); l >= 2 && tried < AUTO_CANDIDATES && (most < 0 || 2 * l >= most); l--) {
            double cap = (1 + epsilon) * prefix[n] / l;
            if (leastLargestCut(prefix, cut, l, cap) > two) {
                continue;
            }
            most = Math.max(most, l);
            tried++;
            int types = forwardTypes(g, fwd, forwardLayers(prefix, cut, l, cap), l);
            if (types < bestTypes) {
                best = l;
                bestTypes = types;
            }
        }
        return best;
    }

    /** Distinct forward structures among the layers: ops, types and edges by position, inputs from outside by type. */
    private static int forwardTypes(Graph g, List<Node> fwd, int[] layer, int layers) {
        Map<Integer, Integer> index = new HashMap<>();
        int[] position = new int[fwd.size()];
        List<List<Object>> keys = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            keys.add(new ArrayList<>());
        }
        for (int i = 0; i < fwd.size(); i++) {
            Node v = fwd.get(i);
            List<Object> key = keys.get(layer[i]);
            List<Object> in = new ArrayList<>();
            for (int u : v.inputs()) {
                Integer k = index.get(u);
                in.add(k != null && layer[k] == layer[i] ? position[k] : List.of(g.node(u).op(), g.node(u).type()));
            }
            index.put(v.id(), i);
            position[i] = key.size();
            key.add(List.of(v.op(), v.type(), in));
        }
        return new HashSet<>(keys).size();
    }

    /** G[k][i] = least largest cut over partitions of nodes 0..i-1 into k layers of at most {@code cap} FLOPs each. */
    private static double leastLargestCut(long[] prefix, long[] cut, int layers, double cap) {
        int n = prefix.length - 1;
        double[] prev = new double[n + 1];
        double[] cur = new double[n + 1];
        Arrays.fill(prev, Double.POSITIVE_INFINITY);
        prev[0] = 0;
        for (int k = 1; k <= layers; k++) {
            Arrays.fill(cur, Double.POSITIVE_INFINITY);
            for (int i = k; i <= n - (layers - k); i++) {
                for (int j = i - 1; j >= k - 1 && prefix[i] - prefix[j] <= cap; j--) {
                    double w = Math.max(prev[j], j == 0 ? 0 : cut[j]);
                    if (w < cur[i]) {
                        cur[i] = w;
                    }
                }
            }
            double[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[n];
    }

    private static long[] prefixFlops(Graph g, List<Node> fwd) {
        long[] prefix = new long[fwd.size() + 1];
        for (int i = 0; i < fwd.size(); i++) {
            prefix[i + 1] = prefix[i] + g.flops(fwd.get(i));
        }
        return prefix;
    }

    /**
     * cut[j]: bytes of forward values produced by nodes 0..j-1 (parameters: first read there) and read
     * by node j or later, for a cut just before forward node j.
     */
    private static long[] cutBytes(Graph g, List<Node> fwd) {
        int n = fwd.size();
        Map<Integer, Integer> pos = new HashMap<>();
        for (int i = 0; i < n; i++) {
            pos.put(fwd.get(i).id(), i);
        }
        long[] diff = new long[n + 2];
        List<Node> values = new ArrayList<>(fwd);
        values.addAll(g.parameters());
        for (Node v : values) {
            int home = -1;
            int last = -1;
            for (int u : g.users(v.id())) {
                Integer p = pos.get(u);
                if (p != null) {
                    home = home < 0 ? p : Math.min(home, p);
                    last = Math.max(last, p);
                }
            }
            if (!v.isParameter()) {
                home = pos.get(v.id());
            }
            if (home >= 0 && last > home) {
                diff[home + 1] += v.type().bytes();
                diff[last + 1] -= v.type().bytes();
            }
        }
        long[] cut = new long[n + 1];
        long run = 0;
        for (int j = 0; j <= n; j++) {
            run += diff[j];
            cut[j] = run;
        }
        return cut;
    }
}
