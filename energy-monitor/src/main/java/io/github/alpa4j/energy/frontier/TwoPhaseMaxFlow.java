package io.github.alpa4j.energy.frontier;

import org.jgrapht.Graph;
import org.jgrapht.alg.flow.MaximumFlowAlgorithmBase;
import org.jgrapht.alg.flow.PushRelabelMFImpl;
import org.jgrapht.alg.interfaces.MaximumFlowAlgorithm;
import org.jgrapht.graph.DefaultWeightedEdge;
import org.jgrapht.graph.SimpleDirectedWeightedGraph;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maximum s–t flow under lower and upper bounds, from scratch, with JGraphT's push-relabel:
 * the textbook two runs the Perseus solver also makes. The first finds a feasible flow: every
 * arc carries its lower bound for free, the imbalance that leaves at each vertex is supplied
 * from a super-source S′ and drained to a super-sink T′, an infinite arc t→s closes the
 * circulation, and the flow is feasible when S′'s arcs saturate. The second augments that flow
 * from s to t in its residual network; the vertices still reachable from s form the minimum cut.
 *
 * <p>An infinite bound becomes a capacity larger than any finite cut; a lower bound of −∞ (a
 * computation that cannot slow down) becomes an extra arc the other way with that capacity.
 *
 * <p>JGraphT's push-relabel never pushes less than {@link MaximumFlowAlgorithmBase#DEFAULT_EPSILON}
 * whatever epsilon it is given, so capacities go to it in units of {@code network.tolerance /
 * DEFAULT_EPSILON} joules: its cut-off then is the network's own tolerance, relative to the energies.
 */
final class TwoPhaseMaxFlow {
    /**
     * How far short of the lower bounds (as a fraction of the energy scale) a feasible flow may
     * fall. Each step's cut is minimal only up to the tolerance, so the next assignment may be off
     * the least energy for its time by that much, and its lower bounds a little unroutable; a
     * shortfall this large is no rounding but a broken invariant.
     */
    static final double SHORTFALL = 1e-6;

    private TwoPhaseMaxFlow() {
    }

    /**
     * Sets {@code network.flow} to a maximum flow and returns the source side of a minimum cut,
     * or empty when every cut is infinite.
     */
    static Optional<boolean[]> solve(CriticalNetwork network) {
        int m = network.arcCount();
        double unit = network.tolerance / MaximumFlowAlgorithmBase.DEFAULT_EPSILON;
        double finite = 0;
        for (int a = 0; a < m; a++) {
            finite += (Double.isFinite(network.lower[a]) ? Math.abs(network.lower[a]) : 0)
                    + (Double.isFinite(network.upper[a]) ? Math.abs(network.upper[a]) : 0);
        }
        double infinite = 16 * (network.energyScale + finite) / unit;
        feasibleFlow(network, unit, infinite);
        return augment(network, unit, infinite);
    }

    /** Sets {@code network.flow} to a flow within the bounds, JGraphT working in {@code unit} joules. */
    private static void feasibleFlow(CriticalNetwork network, double unit, double infinite) {
        int m = network.arcCount();
        int superSource = network.vertexCount;
        int superSink = network.vertexCount + 1;
        Graph<Integer, DefaultWeightedEdge> graph = graph(network.vertexCount + 2);
        DefaultWeightedEdge[] forward = new DefaultWeightedEdge[m];
        DefaultWeightedEdge[] backward = new DefaultWeightedEdge[m];
        double[] floor = new double[m];
        double[] excess = new double[network.vertexCount];
        for (int a = 0; a < m; a++) {
            double upper = network.upper[a];
            double lower = Double.isFinite(network.lower[a]) ? network.lower[a]
                    : Math.min(0, Double.isFinite(upper) ? upper : 0);
            floor[a] = lower / unit;
            forward[a] = arc(graph, network.from[a], network.to[a],
                    Double.isFinite(upper) ? upper / unit - floor[a] : infinite);
            if (!Double.isFinite(network.lower[a])) {
                backward[a] = arc(graph, network.to[a], network.from[a], infinite);
            }
            excess[network.to[a]] += floor[a];
            excess[network.from[a]] -= floor[a];
        }
        arc(graph, CriticalNetwork.SINK, CriticalNetwork.SOURCE, infinite);
        double required = 0;
        for (int v = 0; v < network.vertexCount; v++) {
            if (excess[v] > 0) {
                arc(graph, superSource, v, excess[v]);
                required += excess[v];
            } else if (excess[v] < 0) {
                arc(graph, v, superSink, -excess[v]);
            }
        }
        MaximumFlowAlgorithm.MaximumFlow<DefaultWeightedEdge> result =
                new PushRelabelMFImpl<>(graph).getMaximumFlow(superSource, superSink);
        double shortfall = (required - result.getValue()) * unit;
        if (shortfall > SHORTFALL * network.energyScale) {
            // A feasible flow exists whenever the current assignment is the least energy for its
            // time, which every Phillips–Dessouky step preserves on convex curves.
            throw new IllegalStateException("no feasible flow in the critical network: " + result.getValue() * unit
                    + " of " + required * unit + " J routed; are the energy curves convex?");
        }
        Map<DefaultWeightedEdge, Double> flows = result.getFlowMap();
        for (int a = 0; a < m; a++) {
            double units = floor[a] + flows.get(forward[a]) - (backward[a] == null ? 0 : flows.get(backward[a]));
            network.flow[a] = units * unit;
        }
    }

    private static Optional<boolean[]> augment(CriticalNetwork network, double unit, double infinite) {
        int m = network.arcCount();
        Graph<Integer, DefaultWeightedEdge> graph = graph(network.vertexCount);
        DefaultWeightedEdge[] forward = new DefaultWeightedEdge[m];
        DefaultWeightedEdge[] backward = new DefaultWeightedEdge[m];
        for (int a = 0; a < m; a++) {
            double ahead = network.residual(a, network.from[a]);
            double back = network.residual(a, network.to[a]);
            if (ahead > 0) {
                forward[a] = arc(graph, network.from[a], network.to[a], Double.isFinite(ahead) ? ahead / unit : infinite);
            }
            if (back > 0) {
                backward[a] = arc(graph, network.to[a], network.from[a], Double.isFinite(back) ? back / unit : infinite);
            }
        }
        PushRelabelMFImpl<Integer, DefaultWeightedEdge> maxFlow = new PushRelabelMFImpl<>(graph);
        MaximumFlowAlgorithm.MaximumFlow<DefaultWeightedEdge> result =
                maxFlow.getMaximumFlow(CriticalNetwork.SOURCE, CriticalNetwork.SINK);
        if (result.getValue() >= infinite / 2) {
            return Optional.empty();
        }
        Map<DefaultWeightedEdge, Double> flows = result.getFlowMap();
        for (int a = 0; a < m; a++) {
            if (forward[a] != null) {
                network.flow[a] += flows.get(forward[a]) * unit;
            }
            if (backward[a] != null) {
                network.flow[a] -= flows.get(backward[a]) * unit;
            }
        }
        Set<Integer> reachable = maxFlow.getSourcePartition();
        boolean[] sourceSide = new boolean[network.vertexCount];
        for (int v : reachable) {
            sourceSide[v] = true;
        }
        return Optional.of(sourceSide);
    }

    private static Graph<Integer, DefaultWeightedEdge> graph(int vertices) {
        Graph<Integer, DefaultWeightedEdge> graph = new SimpleDirectedWeightedGraph<>(DefaultWeightedEdge.class);
        for (int v = 0; v < vertices; v++) {
            graph.addVertex(v);
        }
        return graph;
    }

    /**
     * Adds arc u→v. The split DAG never has two arcs between one pair of vertices, in either
     * direction, so each arc's flow can be read back on its own edge.
     */
    private static DefaultWeightedEdge arc(Graph<Integer, DefaultWeightedEdge> graph, int u, int v, double capacity) {
        DefaultWeightedEdge e = graph.addEdge(u, v);
        if (e == null) {
            throw new IllegalStateException("two arcs " + u + "→" + v + " in the critical network");
        }
        graph.setEdgeWeight(e, capacity);
        return e;
    }
}
