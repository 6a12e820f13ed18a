package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.DeviceMesh;

/**
 * Where a stage runs before it has an intra-op plan: its layers, its physical submesh and its logical
 * mesh over explicit devices, and its graph.
 *
 * @param profile index of the layer profile (logical mesh and method) in the planner's list (-1 for a manual plan)
 */
record StagePlacement(int first, int last, Submesh submesh, DeviceMesh mesh, int profile, StageGraph graph) {
}
