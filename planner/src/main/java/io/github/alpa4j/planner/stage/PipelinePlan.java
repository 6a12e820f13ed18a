package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.cluster.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * An inter- and intra-operator plan: the training graph of one microbatch cut into stages of
 * contiguous layers, each on its own submesh with its own intra-op plan, run as a pipeline of
 * {@code microbatches} microbatches per iteration.
 *
 * <p>To run it, for each stage: lower {@code stage.plan()} (a plan of {@code stage.graph().graph()} on
 * {@code stage.mesh()}); feed the inputs the stage receives (the {@code received()} nodes of its graph:
 * activations from earlier stages in the forward pass, gradients from later stages in the backward pass,
 * as {@link #transfers()} lists them) and send its {@code transfer/<id>} outputs; run forward and
 * backward per microbatch in the order {@link #schedule()} gives, summing each parameter's gradient over
 * the microbatches; then run the update nodes once.
 *
 * @param method         {@code auto}, or the manual plan's name such as {@code megatron dp=2,tp=4,pp=8}
 * @param graph          the training graph of one microbatch (after dead-code elimination)
 * @param layering       the layer of every node of {@code graph}
 * @param transfers      every value that moves between stages per microbatch
 * @param memoryBudgetBytes the per-device memory the stages were planned to fit
 * @param stats          how planning went, for automatic plans
 */
public record PipelinePlan(String method, Cluster cluster, Graph graph, Layering layering, int microbatches,
                           PipelineSchedule schedule, List<PipelineStage> stages, List<StageTransfer> transfers,
                           long memoryBudgetBytes, Optional<PipelineStats> stats) {
    public PipelinePlan {
        stages = List.copyOf(stages);
        transfers = List.copyOf(transfers);
    }

    /** The same plan under another name, with the statistics of the search that chose it. */
    public PipelinePlan chosenBy(String name, Optional<PipelineStats> search) {
        return new PipelinePlan(name, cluster, graph, layering, microbatches, schedule, stages, transfers, memoryBudgetBytes, search);
    }

    /** This plan with {@code stats} in place of its own (a command adds the phases it ran around planning). */
    public PipelinePlan withStats(PipelineStats stats) {
        return new PipelinePlan(method, cluster, graph, layering, microbatches, schedule, stages, transfers, memoryBudgetBytes,
                Optional.of(stats));
    }

    /**
     * T* = Σ t_i + (B−1)·max t_j (REFERENCES §2): the forward and backward passes of all microbatches, each pass
     * with what it receives from the other stages where the cluster measured its point-to-point sends ({@link
     * #receiveSeconds}). Where the machine runs fewer devices at full speed at once than the pipeline has ({@link
     * io.github.alpa4j.planner.cost.DeviceCost#saturation()}: two for four simulated devices on two cores;
     * unbounded for devices with a GPU each), the stages take turns on it, and the schedule is simulated with the
     * machine shared among the passes under way ({@link PipelineTimeline#shared}).
     */
    public double pipelineSeconds() {
        int slots = cluster.gpu().cost().saturation();
        if (slots < deviceCount()) {
            return PipelineTimeline.of(this).makespan();
        }
        double sum = 0;
        double max = 0;
        for (PipelineStage s : stages) {
            double t = s.microbatchSeconds() + receiveSeconds(s.index(), Phase.FORWARD) + receiveSeconds(s.index(), Phase.BACKWARD);
            sum += t;
            max = Math.max(max, t);
        }
        return sum + (microbatches - 1) * max;
    }

    /**
     * Seconds stage {@code stage} spends per microbatch receiving the values of {@code phase} (activations in the
     * forward pass, gradients in the backward pass) from other stages: each transfer's α + β·bytes by the cluster's
     * measured point-to-point sends (a profile's ping-pong between two devices: the receiver waits, blocked, as a
     * stage does); zero where the cluster measured none (presets: the formula as Alpa states it).
     */
    public double receiveSeconds(int stage, Phase phase) {
        if (cluster.comm() == null || cluster.comm().p2p() == null) {
            return 0;
        }
        io.github.alpa4j.planner.cluster.Link p2p = cluster.comm().p2p();
        double s = 0;
        for (StageTransfer t : transfers) {
            if (t.toStage() == stage && t.phase() == phase) {
                s += p2p.alpha() + p2p.beta() * t.bytes();
            }
        }
        return s;
    }

    /** The slowest stage's once-per-iteration work (gradient synchronisation and update); stages do it at once. */
    public double updateSeconds() {
        return stages.stream().mapToDouble(s -> s.cost().updateSeconds()).max().orElse(0);
    }

    /** Predicted seconds per iteration: the pipeline, then the update. */
    public double iterationSeconds() {
        return pipelineSeconds() + updateSeconds();
    }

    public int deviceCount() {
        return stages.stream().mapToInt(s -> s.mesh().deviceCount()).sum();
    }

    /** The stage that runs layer {@code layer}. */
    public int stageOfLayer(int layer) {
        for (PipelineStage s : stages) {
            if (layer >= s.firstLayer() && layer <= s.lastLayer()) {
                return s.index();
            }
        }
        throw new IllegalArgumentException("no stage runs layer " + layer);
    }

    /** The stage that runs node {@code node} of {@link #graph()}, or -1 for a node every stage that reads it copies. */
    public int stageOf(int node) {
        int layer = layering.layer(node);
        return layer == Layering.REPLICATED ? -1 : stageOfLayer(layer);
    }

    /** The values stage {@code from} sends stage {@code to} for each microbatch. */
    public List<StageTransfer> transfers(int from, int to) {
        return transfers.stream().filter(t -> t.fromStage() == from && t.toStage() == to).toList();
    }

    /** FLOPs of one iteration: forward and backward of every microbatch, and the update once. */
    public double flopsPerIteration() {
        double f = 0;
        for (Node n : graph.nodes()) {
            f += graph.flops(n) * (n.phase() == Phase.UPDATE ? 1.0 : microbatches);
        }
        return f;
    }

    /** Predicted TFLOP/s per device: {@link #flopsPerIteration()} over the iteration time and the devices. */
    public double tflopsPerDevice() {
        return flopsPerIteration() / iterationSeconds() / deviceCount() / 1e12;
    }

    /** Whether every stage fits the memory budget. */
    public boolean fits() {
        return stages.stream().allMatch(s -> s.memoryBytes() <= memoryBudgetBytes);
    }
}
