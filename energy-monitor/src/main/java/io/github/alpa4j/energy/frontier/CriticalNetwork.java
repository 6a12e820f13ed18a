package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;

import java.util.Arrays;

/**
 * The flow network of the critical sub-DAG with lower and upper flow bounds (Phillips &amp;
 * Dessouky 1977; REFERENCES.md §3, "Frontier"), and a flow on it.
 *
 * <p>Vertex 0 is the source, 1 the sink; each critical computation i is split into an arc
 * in(i)→out(i) bounded by [lower(i), upper(i)]: lower is the energy saved by slowing i one quantum
 * (−∞ when i is at its slowest, so it can never be slowed), upper the energy added by speeding it
 * one quantum (+∞ at its fastest). Critical precedence edges, and those from the source and to the
 * sink, are arcs out→in bounded by [0, +∞): a step may open a gap there but never close one.
 * A cut (S, T) costs {@code Σ_{forward} upper − Σ_{backward} lower}, the energy of the step.
 *
 * <p>Bounds are differences of curve energies, so their rounding error is relative to those
 * energies, not absolute: a fixed tolerance in joules that suits the Perseus profile (tens of
 * joules a run) blurs every bound of a predicted profile (hundredths of a joule a run, bounds of
 * nanojoules) into one, and the cuts it picks stop being minimal.
 */
final class CriticalNetwork {
    static final int SOURCE = 0;
    static final int SINK = 1;
    /** Flow amounts below this fraction of the energy scale are rounding, not energy. */
    static final double RELATIVE_TOLERANCE = 1e-11;

    final int vertexCount;
    final int[] from;
    final int[] to;
    final double[] lower;
    final double[] upper;
    final double[] flow;
    /** Computation an arc stands for, or −1 for a precedence arc. */
    final int[] computation;
    /** Arcs incident to each vertex, both directions: arcs of vertex v are incident[start[v]..start[v+1]). */
    final int[] start;
    final int[] incident;
    /** The largest energy (J) the bounds are differences of: one run of the costliest computation. */
    final double energyScale;
    /** Residual capacity below this (J) counts as none, against rounding in long runs. */
    final double tolerance;
    private final int[] activityArc;

    private CriticalNetwork(int vertexCount, int[] from, int[] to, double[] lower, double[] upper, int[] computation,
                            int[] activityArc, double energyScale) {
        if (!(energyScale > 0) || !Double.isFinite(energyScale)) {
            throw new IllegalArgumentException("the energy scale must be positive and finite, got " + energyScale);
        }
        this.energyScale = energyScale;
        this.tolerance = RELATIVE_TOLERANCE * energyScale;
        this.vertexCount = vertexCount;
        this.from = from;
        this.to = to;
        this.lower = lower;
        this.upper = upper;
        this.flow = new double[from.length];
        this.computation = computation;
        this.activityArc = activityArc;
        this.start = new int[vertexCount + 1];
        for (int a = 0; a < from.length; a++) {
            start[from[a] + 1]++;
            start[to[a] + 1]++;
        }
        for (int v = 0; v < vertexCount; v++) {
            start[v + 1] += start[v];
        }
        this.incident = new int[2 * from.length];
        int[] fill = Arrays.copyOf(start, vertexCount);
        for (int a = 0; a < from.length; a++) {
            incident[fill[from[a]]++] = a;
            incident[fill[to[a]]++] = a;
        }
    }

    /**
     * Builds the network of the critical computations and edges, with the computations' bounds.
     *
     * @param edgeCritical whether the k-th successor edge of u is critical, at index {@code edgeIndex[u] + k}
     * @param energyScale the largest energy (J) of one run of any computation, which sets {@link #tolerance}
     */
    static CriticalNetwork of(PipelineDag dag, boolean[] critical, boolean[] edgeCritical, int[] edgeIndex,
                              double[] lowerBound, double[] upperBound, double energyScale) {
        int n = dag.size();
        int[] in = new int[n];
        int vertices = 2;
        int arcs = 0;
        for (int i = 0; i < n; i++) {
            if (critical[i]) {
                in[i] = vertices;
                vertices += 2;
                arcs++;
                if (dag.predecessorCount(i) == 0) {
                    arcs++;
                }
                if (dag.successorCount(i) == 0) {
                    arcs++;
                }
                for (int k = 0; k < dag.successorCount(i); k++) {
                    if (edgeCritical[edgeIndex[i] + k]) {
                        arcs++;
                    }
                }
            }
        }
        int[] from = new int[arcs];
        int[] to = new int[arcs];
        double[] lower = new double[arcs];
        double[] upper = new double[arcs];
        int[] computation = new int[arcs];
        int[] activityArc = new int[n];
        Arrays.fill(activityArc, -1);
        int a = 0;
        for (int i = 0; i < n; i++) {
            if (!critical[i]) {
                continue;
            }
            activityArc[i] = a;
            from[a] = in[i];
            to[a] = in[i] + 1;
            lower[a] = lowerBound[i];
            upper[a] = upperBound[i];
            computation[a++] = i;
            if (dag.predecessorCount(i) == 0) {
                a = precedence(a, SOURCE, in[i], from, to, upper, computation);
            }
            if (dag.successorCount(i) == 0) {
                a = precedence(a, in[i] + 1, SINK, from, to, upper, computation);
            }
            for (int k = 0; k < dag.successorCount(i); k++) {
                if (edgeCritical[edgeIndex[i] + k]) {
                    a = precedence(a, in[i] + 1, in[dag.successor(i, k)], from, to, upper, computation);
                }
            }
        }
        return new CriticalNetwork(vertices, from, to, lower, upper, computation, activityArc, energyScale);
    }

    private static int precedence(int a, int u, int v, int[] from, int[] to, double[] upper, int[] computation) {
        from[a] = u;
        to[a] = v;
        upper[a] = Double.POSITIVE_INFINITY;
        computation[a] = -1;
        return a + 1;
    }

    int arcCount() {
        return from.length;
    }

    /** The arc of a critical computation, or −1 when it is not in this network. */
    int activityArc(int computationIndex) {
        return activityArc[computationIndex];
    }

    /** Residual capacity of arc a traversed from vertex v (forwards if v is its tail, backwards otherwise). */
    double residual(int a, int v) {
        double r = v == from[a] ? upper[a] - flow[a] : flow[a] - lower[a];
        return r > 0 ? r : 0;
    }

    /** The vertex at the other end of arc a from v. */
    int other(int a, int v) {
        return v == from[a] ? to[a] : from[a];
    }

    /**
     * The cut given by a source side: computations whose arc leaves S are sped up, those whose arc
     * enters S are slowed down.
     */
    Cut cut(boolean[] sourceSide) {
        int[] spedUp = new int[from.length];
        int[] slowedDown = new int[from.length];
        int fast = 0;
        int slow = 0;
        double cost = 0;
        for (int a = 0; a < from.length; a++) {
            if (computation[a] < 0) {
                continue;
            }
            if (sourceSide[from[a]] && !sourceSide[to[a]]) {
                spedUp[fast++] = computation[a];
                cost += upper[a];
            } else if (!sourceSide[from[a]] && sourceSide[to[a]]) {
                slowedDown[slow++] = computation[a];
                cost -= lower[a];
            }
        }
        return new Cut(Arrays.copyOf(spedUp, fast), Arrays.copyOf(slowedDown, slow), cost);
    }
}
