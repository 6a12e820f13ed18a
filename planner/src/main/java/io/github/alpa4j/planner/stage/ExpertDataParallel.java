package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DeepSpeed-MoE as Alpa's evaluation runs it: no pipeline, one stage of every layer on the whole
 * cluster (hosts x GPUs per host), data parallel with the experts split over the devices
 * ({@link ManualPlans#expertDataParallel}), microbatches as gradient accumulation; costed by the same
 * model as the automatic plan.
 */
public final class ExpertDataParallel {
    private ExpertDataParallel() {
    }

    /** The ep-dp plan for the training graph of one of {@code microbatches} microbatches. */
    public static PipelinePlan plan(Graph graph, int microbatches, Cluster cluster, StageOptions options) {
        Graph g = DeadCodeElimination.apply(graph);
        Layering layering = NamedLayers.of(g);
        PlannerOptions intra = PipelinePlanner.intraOptions(options, microbatches);
        long budget = options.memoryBytes(cluster.gpu().memoryBytes());
        int last = layering.layerCount() - 1;
        List<Integer> ids = new ArrayList<>();
        for (int d = 0; d < cluster.deviceCount(); d++) {
            ids.add(d);
        }
        DeviceMesh mesh = DeviceMesh.over(cluster, cluster.hosts(), cluster.gpusPerHost(), ids);
        StageGraph sg = StageGraph.of(layering, 0, last);
        IntraOpPlan p = null;
        if (options.remat() != RematMode.LAYERS) {
            p = ManualPlans.expertDataParallel(sg.graph(), mesh, intra);
        }
        if (p == null || options.remat() == RematMode.AUTO && StageCost.of(p).memoryBytes(1) > budget) {
            sg = sg.recomputed(layering);
            p = ManualPlans.expertDataParallel(sg.graph(), mesh, intra);
        }
        StagePlacement placement = new StagePlacement(0, last, new Submesh(cluster.hosts(), cluster.gpusPerHost()), mesh, -1, sg);
        return PipelineAssembly.assemble("ep-dp", cluster, layering, microbatches, options.schedule(), List.of(placement), List.of(p),
                budget, Optional.empty());
    }
}
