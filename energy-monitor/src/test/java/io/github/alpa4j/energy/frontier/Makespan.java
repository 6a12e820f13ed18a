package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;

/** Iteration time of a duration assignment, recomputed from scratch: the reference for incremental code. */
final class Makespan {
    private Makespan() {
    }

    static long of(PipelineDag dag, long[] durations) {
        long[] finish = new long[dag.size()];
        long makespan = 0;
        for (int v : dag.topologicalOrder()) {
            long start = 0;
            for (int k = 0; k < dag.predecessorCount(v); k++) {
                start = Math.max(start, finish[dag.predecessor(v, k)]);
            }
            finish[v] = start + durations[v];
            makespan = Math.max(makespan, finish[v]);
        }
        return makespan;
    }
}
