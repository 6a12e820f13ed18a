package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.List;

/**
 * What planning a pipeline took: how much work, and the wall time of each phase in the order they ran.
 *
 * @param layers           layers the forward pass was clustered into
 * @param layerTypes       distinct layer structures among them (each solved once per logical mesh)
 * @param logicalMeshes    logical meshes over all submeshes
 * @param microbatchCounts microbatch counts planned for (the best plan is kept; the work and times are of all)
 * @param layerIlps        intra-op ILPs solved for layers (types x logical meshes, for each microbatch count)
 * @param stageIlps        intra-op ILPs solved for the chosen stages (identical stages on one logical mesh share one)
 * @param dpRuns           runs of the stage DP (bounds on the largest stage time tried)
 * @param phases           wall time per phase ({@link #CLUSTERING} ... {@link #STAGE_ILPS}; a command adds its own before them)
 * @param totalSeconds     wall time from the start of the first phase to the plan
 */
public record PipelineStats(int layers, int layerTypes, int logicalMeshes, int microbatchCounts, int layerIlps, int stageIlps,
                            int dpRuns, List<PhaseTime> phases, double totalSeconds) {
    /** Dead-code elimination, layer clustering, the layer graphs and their signatures, submeshes and logical meshes. */
    public static final String CLUSTERING = "clustering";
    /** Strategy enumeration, ILP construction and exact elimination of every layer ILP; Megatron's layer plans. */
    public static final String ILP_CONSTRUCTION = "ILP construction";
    /** The LP relaxation and, where it is fractional, CP-SAT, of every layer ILP. */
    public static final String ILP_SOLVING = "ILP solving";
    /** The cost of every range of layers on every profile, from the layers' plans and the resharding between them. */
    public static final String RANGE_COSTS = "range costs";
    /** Alpa's stage profiling (--measure-stages): each distinct candidate stage run on devices. */
    public static final String STAGE_PROFILING = "stage profiling";
    /** The inter-operator DP, and the placement of its stages on devices. */
    public static final String STAGE_DP = "stage DP";
    /** The plans of the chosen stages: their ILPs, built and solved, and the plan assembled from them. */
    public static final String STAGE_ILPS = "stage ILPs";
    /** Time between the phases that none of them accounts for. */
    public static final String OTHER = "other";

    public PipelineStats {
        phases = List.copyOf(phases);
    }

    /** The seconds of phase {@code name}, 0 if it did not run. */
    public double seconds(String name) {
        return phases.stream().filter(p -> p.name().equals(name)).mapToDouble(PhaseTime::seconds).sum();
    }

    public double clusterSeconds() {
        return seconds(CLUSTERING);
    }

    /** The layer ILPs (built and solved) and the range costs. */
    public double profileSeconds() {
        return seconds(ILP_CONSTRUCTION) + seconds(ILP_SOLVING) + seconds(RANGE_COSTS);
    }

    public double dpSeconds() {
        return seconds(STAGE_DP);
    }

    public double refineSeconds() {
        return seconds(STAGE_ILPS);
    }

    /**
     * These stats inside a command that ran {@code before} first (starting, building the graph, ...) and
     * took {@code totalSeconds} in all: the phases are {@code before}, then these, then {@link #OTHER} for
     * what none of them accounts for.
     */
    public PipelineStats within(List<PhaseTime> before, double totalSeconds) {
        List<PhaseTime> all = new ArrayList<>(before);
        all.addAll(phases.stream().filter(p -> !p.name().equals(OTHER)).toList());
        double other = totalSeconds - all.stream().mapToDouble(PhaseTime::seconds).sum();
        if (other >= 0.005) {
            all.add(new PhaseTime(OTHER, other));
        }
        return new PipelineStats(layers, layerTypes, logicalMeshes, microbatchCounts, layerIlps, stageIlps, dpRuns, all, totalSeconds);
    }

    /** The work and time of planning for two microbatch counts; the sizes of the layering are {@code this}'s. */
    PipelineStats plus(PipelineStats o) {
        return new PipelineStats(layers, layerTypes, logicalMeshes, microbatchCounts + o.microbatchCounts, layerIlps + o.layerIlps,
                stageIlps + o.stageIlps, dpRuns + o.dpRuns, phases, totalSeconds);
    }
}
