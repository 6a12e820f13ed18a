package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;

/**
 * One stage of a pipeline plan: layers {@code firstLayer..lastLayer} on a submesh of the cluster.
 *
 * @param submesh  the physical submesh (hosts x GPUs)
 * @param mesh     its logical mesh over explicit cluster device ids (disjoint from every other stage's)
 * @param graph    the stage's graph, as {@link StageGraph#of} forms it
 * @param plan     the intra-op plan of {@code graph} on {@code mesh}, for the engine to lower
 * @param cost     times and memory parts of {@code plan} in the pipeline
 * @param inflight microbatches of activations the stage holds at once under the schedule
 */
public record PipelineStage(int index, int firstLayer, int lastLayer, Submesh submesh, DeviceMesh mesh,
                            StageGraph graph, IntraOpPlan plan, StageCost cost, int inflight) {

    /** Forward plus backward seconds of one microbatch: t_i of T* = Σ t_i + (B−1)·max t_j. */
    public double microbatchSeconds() {
        return cost.microbatchSeconds();
    }

    /** Bytes per device at the stage's peak: variables, {@code inflight} microbatches of activations, workspace. */
    public long memoryBytes() {
        return cost.memoryBytes(inflight);
    }
}
