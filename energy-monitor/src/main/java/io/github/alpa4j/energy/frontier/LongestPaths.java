package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;

import java.util.BitSet;

/**
 * Earliest start ("head": longest path from the source to a computation) and remaining length
 * ("tail": longest path from its end to the sink) of every computation, in whole quanta.
 * A computation is critical when head + duration + tail equals the iteration time.
 *
 * <p>After a Phillips–Dessouky step only the sped-up and slowed-down computations change, so
 * {@link #update} re-evaluates heads downstream of them and tails upstream, in topological order,
 * and stops where a value comes out the same.
 */
final class LongestPaths {
    private final PipelineDag dag;
    private final long[] durations;
    private final int[] order;
    private final int[] position;
    private final long[] head;
    private final long[] tail;
    private final BitSet dirty;
    private long makespan;

    /** Tracks {@code durations}, which the caller changes in place before calling {@link #update}. */
    LongestPaths(PipelineDag dag, long[] durations) {
        this.dag = dag;
        this.durations = durations;
        this.order = dag.topologicalOrder();
        int n = dag.size();
        this.position = new int[n];
        for (int p = 0; p < n; p++) {
            position[order[p]] = p;
        }
        this.head = new long[n];
        this.tail = new long[n];
        this.dirty = new BitSet(n);
        for (int p = 0; p < n; p++) {
            head[order[p]] = headFromPredecessors(order[p]);
        }
        for (int p = n - 1; p >= 0; p--) {
            tail[order[p]] = tailFromSuccessors(order[p]);
        }
        makespan = computeMakespan();
    }

    /** Re-evaluates after the durations of {@code changed[0..count)} changed. */
    void update(int[] changed, int count) {
        dirty.clear();
        for (int k = 0; k < count; k++) {
            int u = changed[k];
            for (int j = 0; j < dag.successorCount(u); j++) {
                dirty.set(position[dag.successor(u, j)]);
            }
        }
        for (int p = dirty.nextSetBit(0); p >= 0; p = dirty.nextSetBit(p + 1)) {
            int v = order[p];
            long value = headFromPredecessors(v);
            if (value != head[v]) {
                head[v] = value;
                for (int j = 0; j < dag.successorCount(v); j++) {
                    dirty.set(position[dag.successor(v, j)]);
                }
            }
        }
        dirty.clear();
        for (int k = 0; k < count; k++) {
            int u = changed[k];
            for (int j = 0; j < dag.predecessorCount(u); j++) {
                dirty.set(position[dag.predecessor(u, j)]);
            }
        }
        for (int p = dirty.previousSetBit(order.length - 1); p >= 0; p = dirty.previousSetBit(p - 1)) {
            int v = order[p];
            long value = tailFromSuccessors(v);
            if (value != tail[v]) {
                tail[v] = value;
                for (int j = 0; j < dag.predecessorCount(v); j++) {
                    dirty.set(position[dag.predecessor(v, j)]);
                }
            }
        }
        makespan = computeMakespan();
    }

    private long headFromPredecessors(int v) {
        long value = 0;
        for (int j = 0; j < dag.predecessorCount(v); j++) {
            int u = dag.predecessor(v, j);
            value = Math.max(value, head[u] + durations[u]);
        }
        return value;
    }

    private long tailFromSuccessors(int v) {
        long value = 0;
        for (int j = 0; j < dag.successorCount(v); j++) {
            int w = dag.successor(v, j);
            value = Math.max(value, durations[w] + tail[w]);
        }
        return value;
    }

    private long computeMakespan() {
        long value = 0;
        for (int v = 0; v < durations.length; v++) {
            if (dag.predecessorCount(v) == 0) {
                value = Math.max(value, durations[v] + tail[v]);
            }
        }
        return value;
    }

    /** Iteration time in quanta: the longest source-to-sink path. */
    long makespan() {
        return makespan;
    }

    long head(int v) {
        return head[v];
    }

    long tail(int v) {
        return tail[v];
    }

    boolean isCritical(int v) {
        return head[v] + durations[v] + tail[v] == makespan;
    }

    /** Whether the edge u→v lies on a longest path. */
    boolean isCritical(int u, int v) {
        return head[u] + durations[u] + durations[v] + tail[v] == makespan;
    }
}
