package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import picocli.CommandLine.Option;

/** Flags that pick the cluster, the logical mesh on it, and how the planner shards a step over it. */
public final class MeshOptions {
    @Option(names = "--cluster", defaultValue = "cpu",
            description = "Cluster preset (p3.16xlarge, dgx-a100, hgx-h100, h100, cpu) or a JSON file; its links and GPU price the plan (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--hosts", description = "Hosts of the cluster preset (default: 1, or the file's).")
    Integer hosts;

    @Option(names = "--mesh", description = "Logical device mesh ROWSxCOLS, e.g. 2x4.")
    String mesh;

    @Option(names = "--plan", defaultValue = "auto", description = "auto, dp, dp-zero (optimizer states sharded over the data axes),"
            + " megatron, dp-megatron, ep-dp (MoE: experts split over the mesh + data parallel); with --pipeline also"
            + " megatron:dp=D,tp=T,pp=P[,zero=1] (,tp=T left out: 1) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--memory-budget", description = "Memory per device in GiB that the plan must fit.")
    Double memoryBudget;

    @Option(names = "--zero-compute-cost", description = "Alpa's convention: count communication only, forbid replicated matmuls.")
    boolean zeroComputeCost;

    @Option(names = "--time-limit", defaultValue = "60", description = "ILP solver time limit in seconds (default: ${DEFAULT-VALUE}).")
    double timeLimit;

    Cluster cluster() {
        return Clusters.resolve(cluster, hosts);
    }

    /** The --mesh on the cluster, or {@code fallback} ("ROWSxCOLS") when none was given. */
    DeviceMesh mesh(String fallback) {
        Cluster c = cluster();
        return DeviceMesh.parse(c, mesh != null ? mesh : fallback);
    }

    PlannerOptions options() {
        if (!(timeLimit > 0)) {
            throw new UserInputException("--time-limit must be positive, got " + timeLimit);
        }
        PlannerOptions o = PlannerOptions.defaults().withZeroComputeCost(zeroComputeCost).withTimeLimitSeconds(timeLimit);
        return memoryBudget != null ? o.withMemoryBudgetGiB(memoryBudget) : o;
    }
}
