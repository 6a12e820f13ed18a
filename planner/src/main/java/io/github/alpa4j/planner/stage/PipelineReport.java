package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.plan.Units;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text a user reads of a pipeline plan: one row per stage (layers, submesh, logical mesh, devices,
 * intra-op plan, times, memory), the pipeline formula's terms, the transfers between stages, how
 * planning went, and a Gantt chart of the schedule.
 */
public final class PipelineReport {
    /** Width of the Gantt chart in characters. */
    private static final int CHART_COLUMNS = 120;

    private PipelineReport() {
    }

    public static String render(PipelinePlan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "pipeline plan:   %s, %d stage%s, %d microbatch%s (%s) on %s%n", plan.method(),
                plan.stages().size(), plan.stages().size() == 1 ? "" : "s", plan.microbatches(),
                plan.microbatches() == 1 ? "" : "es", plan.schedule().cliName(), plan.cluster()));
        sb.append(String.format(Locale.ROOT, "layers:          %d, %d graph nodes per microbatch%n",
                plan.layering().layerCount(), plan.graph().size()));
        sb.append(String.format(Locale.ROOT, "%n%-5s %-9s %-8s %-6s %-12s %-12s %11s %11s %11s %11s %11s %8s%n", "stage", "layers",
                "submesh", "mesh", "devices", "intra-op", "forward", "backward", "t_i", "update", "memory", "inflight"));
        for (PipelineStage s : plan.stages()) {
            sb.append(String.format(Locale.ROOT, "%-5d %-9s %-8s %-6s %-12s %-12s %11s %11s %11s %11s %11s %8d%n", s.index(),
                    s.firstLayer() == s.lastLayer() ? String.valueOf(s.firstLayer()) : s.firstLayer() + "-" + s.lastLayer(),
                    s.submesh(), s.mesh(), ranges(s.mesh().devices()), s.plan().method(),
                    Units.seconds(s.cost().forwardSeconds()), Units.seconds(s.cost().backwardSeconds()),
                    Units.seconds(s.microbatchSeconds()), Units.seconds(s.cost().updateSeconds()),
                    Units.bytes(s.memoryBytes()), s.inflight()));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "pipeline:        %s (T* = sum of t_i + (B-1) x max t_i, B = %d)%n",
                Units.seconds(plan.pipelineSeconds()), plan.microbatches()));
        sb.append(String.format(Locale.ROOT, "update:          %s (gradient synchronisation and optimizer, slowest stage, once per iteration)%n",
                Units.seconds(plan.updateSeconds())));
        sb.append(String.format(Locale.ROOT, "iteration time:  %s; %.2f TFLOP/s per device predicted%n",
                Units.seconds(plan.iterationSeconds()), plan.tflopsPerDevice()));
        long largest = plan.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0);
        sb.append(String.format(Locale.ROOT, "memory:          %s per device at most; %s%n", Units.bytes(largest),
                plan.fits() ? "fits the budget of " + Units.bytes(plan.memoryBudgetBytes())
                        : "DOES NOT FIT the budget of " + Units.bytes(plan.memoryBudgetBytes())));
        sb.append(transfers(plan));
        plan.stats().ifPresent(st -> sb.append(planning(st)));
        PipelineTimeline t = PipelineTimeline.of(plan);
        sb.append(String.format(Locale.ROOT, "%nschedule (%s), simulated: %s%n", plan.schedule().cliName(), Units.seconds(t.makespan())));
        sb.append(GanttChart.render(t, CHART_COLUMNS));
        return sb.toString();
    }

    /** How much planning there was, and the wall time of each phase. */
    private static String planning(PipelineStats st) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "planning:        %d layers (%d distinct), %d logical meshes, %d layer ILPs, %d stage ILPs, %d DP runs%s%n",
                st.layers(), st.layerTypes(), st.logicalMeshes(), st.layerIlps(), st.stageIlps(), st.dpRuns(),
                st.microbatchCounts() > 1 ? String.format(Locale.ROOT, " over %d microbatch counts", st.microbatchCounts()) : ""));
        sb.append("planning time:   ");
        for (PhaseTime p : st.phases()) {
            sb.append(String.format(Locale.ROOT, "%s %.2f s, ", p.name(), p.seconds()));
        }
        sb.setLength(sb.length() - (st.phases().isEmpty() ? 0 : 2));
        return sb.append(String.format(Locale.ROOT, "; total %.2f s%n", st.totalSeconds())).toString();
    }

    /** Transfers summed per direction: how many tensors and bytes each pair of stages exchanges per microbatch. */
    private static String transfers(PipelinePlan plan) {
        Map<String, long[]> sums = new TreeMap<>();
        for (StageTransfer t : plan.transfers()) {
            String key = String.format(Locale.ROOT, "stage %d -> %d %s", t.fromStage(), t.toStage(),
                    t.phase().name().toLowerCase(Locale.ROOT));
            long[] v = sums.computeIfAbsent(key, k -> new long[2]);
            v[0]++;
            v[1] += t.bytes();
        }
        StringBuilder sb = new StringBuilder("transfers:       ");
        if (sums.isEmpty()) {
            sb.append("none");
        }
        boolean first = true;
        for (var e : sums.entrySet()) {
            sb.append(first ? "" : "; ").append(e.getKey()).append(' ').append(e.getValue()[0]).append(" x ")
                    .append(Units.bytes(e.getValue()[1]));
            first = false;
        }
        return sb.append(" per microbatch\n").toString();
    }

    /** Device ids as ranges: 0-7,16-23. */
    static String ranges(List<Integer> ids) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < ids.size()) {
            int j = i;
            while (j + 1 < ids.size() && ids.get(j + 1) == ids.get(j) + 1) {
                j++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(ids.get(i));
            if (j > i) {
                sb.append('-').append(ids.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
