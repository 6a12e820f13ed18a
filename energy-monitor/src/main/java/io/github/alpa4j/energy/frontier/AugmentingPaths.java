package io.github.alpa4j.energy.frontier;

import java.util.Arrays;
import java.util.Optional;

/**
 * Grows a feasible flow to a maximum one by shortest augmenting paths (Edmonds–Karp) in the
 * residual network of lower and upper bounds.
 *
 * <p>This is what makes a Phillips–Dessouky step incremental. After a step the maximum flow of the
 * previous step is still feasible: its cut's forward arcs carried their upper bound, which is the
 * sped-up computation's new lower bound, and its backward arcs carried their lower bound, the
 * slowed-down computation's new upper bound; convexity moves the other bound outwards. So while
 * the critical sub-DAG keeps its shape, a few augmentations replace a maximum flow from scratch.
 */
final class AugmentingPaths {
    private AugmentingPaths() {
    }

    /**
     * Augments {@code network.flow} (feasible on entry) to a maximum and returns the source side
     * of a minimum cut, or empty when an augmenting path of unbounded capacity exists.
     */
    static Optional<boolean[]> maximise(CriticalNetwork network) {
        int vertices = network.vertexCount;
        int[] parentArc = new int[vertices];
        int[] queue = new int[vertices];
        boolean[] reached = new boolean[vertices];
        while (true) {
            Arrays.fill(reached, false);
            int head = 0;
            int tail = 0;
            queue[tail++] = CriticalNetwork.SOURCE;
            reached[CriticalNetwork.SOURCE] = true;
            while (head < tail && !reached[CriticalNetwork.SINK]) {
                int v = queue[head++];
                for (int k = network.start[v]; k < network.start[v + 1]; k++) {
                    int a = network.incident[k];
                    int w = network.other(a, v);
                    if (!reached[w] && network.residual(a, v) > network.tolerance) {
                        reached[w] = true;
                        parentArc[w] = a;
                        queue[tail++] = w;
                    }
                }
            }
            if (!reached[CriticalNetwork.SINK]) {
                return Optional.of(reached);
            }
            double bottleneck = Double.POSITIVE_INFINITY;
            for (int w = CriticalNetwork.SINK; w != CriticalNetwork.SOURCE; ) {
                int a = parentArc[w];
                int v = network.other(a, w);
                bottleneck = Math.min(bottleneck, network.residual(a, v));
                w = v;
            }
            if (bottleneck == Double.POSITIVE_INFINITY) {
                return Optional.empty();
            }
            for (int w = CriticalNetwork.SINK; w != CriticalNetwork.SOURCE; ) {
                int a = parentArc[w];
                int v = network.other(a, w);
                network.flow[a] += v == network.from[a] ? bottleneck : -bottleneck;
                w = v;
            }
        }
    }
}
