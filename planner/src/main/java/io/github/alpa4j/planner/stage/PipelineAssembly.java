package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds a {@link PipelinePlan} from placed stages and their intra-op plans: costs, memory and transfers. */
final class PipelineAssembly {
    private PipelineAssembly() {
    }

    static PipelinePlan assemble(String method, Cluster cluster, Layering layering, int microbatches, PipelineSchedule schedule,
                                 List<StagePlacement> placements, List<IntraOpPlan> plans, long budget,
                                 Optional<PipelineStats> stats) {
        return assemble(method, cluster, layering, microbatches, schedule, placements, plans, budget, stats, StageCost::of);
    }

    /** As above, each stage costed by {@code cost} (measured, under Alpa's stage profiling). */
    static PipelinePlan assemble(String method, Cluster cluster, Layering layering, int microbatches, PipelineSchedule schedule,
                                 List<StagePlacement> placements, List<IntraOpPlan> plans, long budget,
                                 Optional<PipelineStats> stats, java.util.function.Function<IntraOpPlan, StageCost> cost) {
        int count = placements.size();
        List<PipelineStage> stages = new ArrayList<>();
        int[] stageOfLayer = new int[layering.layerCount()];
        for (int i = 0; i < count; i++) {
            StagePlacement p = placements.get(i);
            for (int l = p.first(); l <= p.last(); l++) {
                stageOfLayer[l] = i;
            }
            IntraOpPlan plan = plans.get(i);
            StageGraph sg = p.graph();
            if (!plan.graph().nodes().equals(sg.graph().nodes())) {
                throw new IllegalStateException("stage " + i + "'s plan is not a plan of its graph");
            }
            stages.add(new PipelineStage(i, p.first(), p.last(), p.submesh(), p.mesh(), sg, plan, cost.apply(plan),
                    schedule.inflight(count, microbatches, i)));
        }
        List<StageTransfer> transfers = new ArrayList<>();
        for (PipelineStage s : stages) {
            for (int v : s.graph().received()) {
                int layer = layering.layer(v);
                if (layer == Layering.REPLICATED) {
                    continue;
                }
                transfers.add(new StageTransfer(v, stageOfLayer[layer], s.index(), layering.graph().node(v).phase(),
                        layering.graph().node(v).type().bytes()));
            }
        }
        return new PipelinePlan(method, cluster, layering.graph(), layering, microbatches, schedule, stages, transfers, budget, stats);
    }
}
