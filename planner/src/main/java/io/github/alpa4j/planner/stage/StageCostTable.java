package io.github.alpa4j.planner.stage;

import java.util.List;

/** What the stage DP needs of the cost model. */
public interface StageCostTable {
    /** Layers to split into stages. */
    int layers();

    /** The submeshes a stage may take. */
    List<Submesh> submeshes();

    /**
     * Seconds per microbatch (forward and backward) of layers {@code first..last} on submesh
     * {@code submesh} when the stage holds {@code inflight} microbatches of activations; infinite when
     * it does not fit in memory.
     */
    double time(int first, int last, int submesh, int inflight);

    /** Every finite value {@link #time} can take: the DP's candidates for the largest stage time. */
    double[] candidateTimes();
}
