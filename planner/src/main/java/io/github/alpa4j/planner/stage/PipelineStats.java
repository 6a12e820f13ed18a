package io.github.alpa4j.planner.stage;

/**
 * What planning a pipeline took.
 *
 * @param layers            layers the forward pass was clustered into
 * @param layerTypes        distinct layer structures among them (each solved once per logical mesh)
 * @param logicalMeshes     logical meshes over all submeshes
 * @param layerIlps         intra-op ILPs solved for layers (types x logical meshes)
 * @param stageIlps         intra-op ILPs solved for the chosen stages (identical stages share one)
 * @param dpRuns            runs of the stage DP (bounds on the largest stage time tried)
 * @param clusterSeconds    layer clustering and layer graphs
 * @param profileSeconds    the layer ILPs and the range costs
 * @param dpSeconds         the stage DP
 * @param refineSeconds     device placement and the stage ILPs
 * @param totalSeconds      everything, from the training graph to the plan
 */
public record PipelineStats(int layers, int layerTypes, int logicalMeshes, int layerIlps, int stageIlps, int dpRuns,
                            double clusterSeconds, double profileSeconds, double dpSeconds, double refineSeconds,
                            double totalSeconds) {
}
