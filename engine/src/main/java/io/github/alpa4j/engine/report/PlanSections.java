package io.github.alpa4j.engine.report;

import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlannedCollective;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.PipelineTimeline;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What a page shows of a plan: the mesh and its stages, each node's sharding, the collectives, the schedule. */
public final class PlanSections {
    private PlanSections() {
    }

    /** The devices, each stage's submesh and logical mesh, and its predicted times. */
    public static void stages(HtmlReport r, PipelinePlan plan) {
        r.heading("Stages on the mesh");
        r.paragraph(String.format(Locale.ROOT, "%s: %d stages, %d microbatches (%s) on %s; predicted iteration %s.", plan.method(),
                plan.stages().size(), plan.microbatches(), plan.schedule().cliName(), plan.cluster(), Units.seconds(plan.iterationSeconds())));
        List<List<String>> rows = new ArrayList<>();
        for (PipelineStage s : plan.stages()) {
            rows.add(List.of(String.valueOf(s.index()), s.firstLayer() + "-" + s.lastLayer(), s.submesh().toString(), s.mesh().toString(),
                    String.valueOf(s.mesh().devices()), s.plan().method(), Units.seconds(s.cost().forwardSeconds()),
                    Units.seconds(s.cost().backwardSeconds()), Units.seconds(s.cost().updateSeconds()), Units.bytes(s.memoryBytes())));
        }
        r.table(List.of("stage", "layers", "submesh", "logical mesh", "devices", "intra-op", "forward", "backward", "update", "memory"), rows);
        for (PipelineStage s : plan.stages()) {
            shardings(r, s.plan(), "Stage " + s.index() + ": sharding of each node");
        }
    }

    /** Each node's strategy in Alpa's notation with its costs, and the collectives the plan implies, by edge. */
    public static void shardings(HtmlReport r, IntraOpPlan plan, String heading) {
        r.heading(heading);
        r.paragraph(String.format(Locale.ROOT, "%s on mesh %s (%s): predicted %s per step (compute %s, communication %s), %s per device.",
                plan.method(), plan.mesh(), plan.status(), Units.seconds(plan.iterationTime()), Units.seconds(plan.computeTime()),
                Units.seconds(plan.communicationTime()), Units.bytes(plan.workingMemoryBytes())));
        Graph g = plan.graph();
        List<List<String>> rows = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.isVariable()) {
                continue;
            }
            var s = plan.strategy(n.id());
            rows.add(List.of("%" + n.id(), n.name(), n.op().opName(), n.type().toString(), s.name(), Units.seconds(s.computeCost()),
                    Units.seconds(s.communicationCost())));
        }
        r.table(List.of("node", "name", "op", "shape", "strategy", "compute", "communication"), rows);
        List<List<String>> comm = new ArrayList<>();
        for (PlannedCollective c : plan.collectives()) {
            String edge = c.isResharding() ? g.node(c.producer()).name() + " -> " + g.node(c.node()).name() : g.node(c.node()).name();
            comm.add(List.of(c.phase().name().toLowerCase(Locale.ROOT), edge, c.collective().kind(), String.valueOf(c.collective().axes()),
                    Units.bytes(c.collective().bytes()), Units.seconds(c.cost())));
        }
        if (!comm.isEmpty()) {
            r.table(List.of("phase", "node or edge", "collective", "mesh axes", "bytes", "predicted"), comm);
        }
    }

    /** The schedule as the plan predicts it, and (when given) as the last step ran it, per stage and microbatch. */
    public static void schedule(HtmlReport r, PipelinePlan plan, List<List<PipelineRuntime.TaskTiming>> measured) {
        r.heading("Schedule");
        List<String> rows = new ArrayList<>();
        for (PipelineStage s : plan.stages()) {
            rows.add("stage " + s.index());
        }
        PipelineTimeline t = PipelineTimeline.of(plan);
        List<Charts.Bar> predicted = new ArrayList<>();
        for (int s = 0; s < t.stages().size(); s++) {
            for (PipelineTimeline.Slot slot : t.stages().get(s)) {
                predicted.add(new Charts.Bar(s, 1e3 * slot.start(), 1e3 * slot.end(), slot.task().toString(), color(slot.task().pass())));
            }
        }
        r.chart(Charts.gantt("predicted (" + plan.schedule().cliName() + "): forward blue, backward orange", "ms", rows, predicted));
        if (measured == null || measured.isEmpty()) {
            return;
        }
        List<Charts.Bar> ran = new ArrayList<>();
        int device = 0;
        for (PipelineStage s : plan.stages()) {
            for (PipelineRuntime.TaskTiming task : measured.get(device)) {
                ran.add(new Charts.Bar(s.index(), task.startNanos() * 1e-6, task.endNanos() * 1e-6, task.pass() + " " + task.microbatch(),
                        color(task.pass())));
            }
            device += s.mesh().deviceCount();
        }
        r.chart(Charts.gantt("measured in the last step (each stage's first device)", "ms", rows, ran));
    }

    private static Color color(PipelineSchedule.Pass pass) {
        return pass == PipelineSchedule.Pass.FORWARD ? Charts.FORWARD : Charts.BACKWARD;
    }

    /** The predicted compute and communication time up to each node, in the order the step runs them. */
    static org.knowm.xchart.XYChart cumulativeTime(IntraOpPlan plan) {
        Graph g = plan.graph();
        double[] reshardIn = new double[g.size()];
        plan.reshardings().forEach(e -> reshardIn[e.consumer()] += e.resharding().cost());
        double[] x = new double[g.size()];
        double[] compute = new double[g.size()];
        double[] comm = new double[g.size()];
        double c = 0;
        double m = 0;
        for (Node n : g.nodes()) {
            var s = plan.strategy(n.id());
            c += s.computeCost();
            m += s.communicationCost() + reshardIn[n.id()];
            x[n.id()] = n.id();
            compute[n.id()] = 1e3 * c;
            comm[n.id()] = 1e3 * m;
        }
        var chart = Charts.lines("predicted time up to each node", "node", "ms");
        Charts.line(chart, "compute", x, compute, Charts.FORWARD);
        Charts.line(chart, "communication", x, comm, Charts.BACKWARD);
        return chart;
    }

    /** Bytes per collective kind and axes of a plan, summed: what the mesh moves per step. */
    static Map<String, Long> bytesByKind(IntraOpPlan plan) {
        Map<String, Long> m = new TreeMap<>();
        for (PlannedCollective c : plan.collectives()) {
            m.merge(c.collective().kind() + " over " + c.collective().axes(), c.collective().bytes(), Long::sum);
        }
        return m;
    }
}
