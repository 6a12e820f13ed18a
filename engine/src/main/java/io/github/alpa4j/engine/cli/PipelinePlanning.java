package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.profile.StageProfiler;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.stage.ExpertDataParallel;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.PlanningProgress;
import io.github.alpa4j.planner.stage.RematMode;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What {@code plan} does for pipelines: reads the pipeline flags, builds the graph of one microbatch for
 * each microbatch count (the --model at batch / count; a --graph file is one microbatch as it is), and
 * runs the automatic or the Megatron pipeline planner.
 */
final class PipelinePlanning {
    private static final String MEGATRON_BEST = "megatron-best";

    /**
     * What a command asks of the pipeline planner.
     *
     * @param graphs       the training graph of one microbatch, for a microbatch count
     * @param globalBatch  samples per iteration; 0 when {@code graphs} is a fixed graph (a --graph file)
     * @param remat        whether stages recompute their layers' forward values (--remat)
     */
    record Request(String method, PipelineOptions pipeline, PlannerOptions options, boolean memoryBudget,
                   IntFunction<Graph> graphs, int globalBatch, RematMode remat) {
    }

    private final Request cmd;
    private final Cluster cluster;

    PipelinePlanning(Request request, Cluster cluster) {
        this.cmd = request;
        this.cluster = cluster;
    }

    /**
     * The request of {@code plan}: its flags, and its graph (a --graph file's, else the model's for each
     * microbatch count, built on {@code clock} with a bar on {@code progress}).
     */
    static Request of(PlanCommand c, Graph graph, CommandClock clock, PlanningProgress progress) {
        if (c.mesh != null) {
            throw new UserInputException("--mesh does not apply to pipeline plans: they use every device of the cluster (use --hosts)");
        }
        IntFunction<Graph> graphs = m -> {
            if (c.graphFile != null) {
                return graph;
            }
            progress.begin("training graph", -1);
            try {
                return c.trainingGraph(c.model.batchSize() / m, clock);
            } finally {
                progress.end();
            }
        };
        return new Request(c.method, c.pipelineOptions, c.options(), c.memoryBudget != null, graphs,
                c.graphFile != null ? 0 : c.model.batchSize(), c.model.remat());
    }

    /** Whether {@code --plan} names a pipeline plan (which needs no --pipeline). */
    static boolean isPipelinePlan(String method) {
        return method.equals(MEGATRON_BEST) || method.startsWith("megatron:");
    }

    /** The plan the request asks for; with an explicit --memory-budget, refused when no plan fits it (a manual one included). */
    PipelinePlan plan() {
        return plan(PlanningProgress.NONE);
    }

    /** The plan; automatic plans show each phase on {@code progress}. */
    PipelinePlan plan(PlanningProgress progress) {
        PipelinePlan plan = search(progress);
        if (cmd.memoryBudget() && !plan.fits()) {
            throw new PlanningException("no " + cmd.method() + " pipeline plan fits the --memory-budget of "
                    + Units.bytes(plan.memoryBudgetBytes()) + " per device: the best keeps "
                    + Units.bytes(plan.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0))
                    + " on a device; use more devices, more microbatches, or a smaller model");
        }
        return plan;
    }

    /**
     * The automatic planner's candidate pipelines for the energy objective, fastest first
     * ({@link PipelinePlanner#candidates}); refused for Megatron's plans, which are one plan each.
     */
    List<PipelinePlan> candidates(PlanningProgress progress, int keep) {
        if (!cmd.method().equals("auto")) {
            throw new UserInputException("--objective energy chooses among the automatic planner's candidate pipelines; it takes --plan auto, not '"
                    + cmd.method() + "'");
        }
        List<PipelinePlan> all = PipelinePlanner.candidates(cmd.graphs(), microbatchCounts(), cluster, stageOptions(), keep, progress);
        List<PipelinePlan> fitting = cmd.memoryBudget() ? all.stream().filter(PipelinePlan::fits).toList() : all;
        if (fitting.isEmpty()) {
            throw new PlanningException("no automatic pipeline plan fits the --memory-budget of " + Units.bytes(all.get(0).memoryBudgetBytes())
                    + " per device; use more devices, more microbatches, or a smaller model");
        }
        return fitting;
    }

    private StageOptions stageOptions() {
        if (cmd.pipeline().pipelineLayers < 0) {
            throw new UserInputException("--pipeline-layers must be 0 (automatic) or positive, got " + cmd.pipeline().pipelineLayers);
        }
        StageOptions o = StageOptions.defaults().withLayers(cmd.pipeline().pipelineLayers)
                .withSchedule(PipelineSchedule.parse(cmd.pipeline().schedule)).withIntraOp(cmd.options()).withRemat(cmd.remat())
                .toBuilder().logicalShapes(cmd.pipeline().logicalShapeSpace()).build();
        if (cmd.memoryBudget()) {
            o = o.withMemoryBudgetBytes(cmd.options().memoryBudgetBytes().getAsLong());
        }
        if (cmd.pipeline().measureStages) {
            if (!cmd.method().equals("auto")) {
                throw new UserInputException("--measure-stages profiles the candidate stages of the automatic plan; Megatron's plans have none");
            }
            o = o.toBuilder().measurer(new StageProfiler(3)).build();
        }
        return o;
    }

    private PipelinePlan search(PlanningProgress progress) {
        StageOptions o = stageOptions();
        List<Integer> counts = microbatchCounts();
        IntFunction<Graph> graphs = cmd.graphs();
        if (cmd.method().equals(MEGATRON_BEST)) {
            return MegatronPipeline.best(graphs, counts, cluster, o);
        }
        if (cmd.method().startsWith("megatron:")) {
            MegatronPipeline.Degrees d = MegatronPipeline.parse(cmd.method());
            return bestOf(counts, m -> MegatronPipeline.plan(graphs.apply(m), m, cluster, d, o));
        }
        if (cmd.method().equals("ep-dp")) {
            return bestOf(counts, m -> ExpertDataParallel.plan(graphs.apply(m), m, cluster, o));
        }
        if (!cmd.method().equals("auto")) {
            throw new UserInputException("--pipeline plans are auto, megatron:dp=D,tp=T,pp=P, megatron-best or ep-dp (one stage on"
                    + " every device, experts split over them); got '" + cmd.method() + "'");
        }
        return PipelinePlanner.plan(graphs, counts, cluster, o, progress);
    }

    /** The fastest plan that fits among {@code plan}'s for each microbatch count (else the fastest). */
    private static PipelinePlan bestOf(List<Integer> counts, IntFunction<PipelinePlan> plan) {
        PipelinePlan best = null;
        PlanningException last = null;
        for (int m : counts) {
            try {
                PipelinePlan p = plan.apply(m);
                if (best == null || p.fits() && (!best.fits() || p.iterationSeconds() < best.iterationSeconds())) {
                    best = p;
                }
            } catch (PlanningException e) {
                last = e;
            }
        }
        if (best == null) {
            throw last;
        }
        return best;
    }

    /** --microbatches as a list: the number given (it must divide the batch), or every power of two that divides it. */
    private List<Integer> microbatchCounts() {
        if (cmd.pipeline().microbatches.equals("auto")) {
            if (cmd.globalBatch() == 0) {
                return List.of(1);
            }
            List<Integer> out = new ArrayList<>();
            for (int m = 1; m <= globalBatch(); m *= 2) {
                if (globalBatch() % m == 0) {
                    out.add(m);
                }
            }
            return out;
        }
        int m;
        try {
            m = Integer.parseInt(cmd.pipeline().microbatches);
        } catch (NumberFormatException e) {
            throw new UserInputException("--microbatches must be a positive number or auto, got '" + cmd.pipeline().microbatches + "'");
        }
        if (m < 1) {
            throw new UserInputException("--microbatches must be a positive number or auto, got " + m);
        }
        if (cmd.globalBatch() != 0 && globalBatch() % m != 0) {
            throw new UserInputException("--microbatches " + m + " does not divide the batch of " + globalBatch()
                    + "; each microbatch must have the same number of samples");
        }
        return List.of(m);
    }

    private int globalBatch() {
        return cmd.globalBatch();
    }
}
