package io.github.alpa4j.planner.stage;

import java.util.List;

/**
 * What the stage DP needs of the cost model: for a layer range on a submesh, the fastest way to run it
 * (seconds per microbatch, forward and backward) among those whose once-per-iteration update takes at
 * most a given time, and that update time.
 */
public interface StageCostTable {
    /** Layers to split into stages. */
    int layers();

    /** The submeshes a stage may take. */
    List<Submesh> submeshes();

    /**
     * Seconds per microbatch of layers {@code first..last} on submesh {@code submesh} when the stage
     * holds {@code inflight} microbatches of activations, by the fastest way whose update takes at most
     * {@code maxUpdate} seconds; infinite when none fits in memory.
     */
    double time(int first, int last, int submesh, int inflight, double maxUpdate);

    /** The update seconds (once per iteration) of the way {@link #time} picks. */
    double update(int first, int last, int submesh, int inflight, double maxUpdate);

    /** Every finite value {@link #time} can take: the DP's candidates for the largest stage time. */
    double[] candidateTimes();

    /** Every value {@link #update} can take: the DP's candidates for the largest update time. */
    double[] candidateUpdates();
}
