package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlanMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * One way to run a layer range: a logical mesh and how its intra-op plan is found. The ILP's plan is
 * the fastest per microbatch, but it minimises time only: with few samples per microbatch it often
 * keeps weights whole on every device and splits the activations, which needs the most memory.
 * Megatron's plans (tensor parallel over both axes, or over axis 1 with data parallel over axis 0)
 * shard the weights; offering them too lets the DP trade speed for memory where memory binds.
 */
record Profile(LogicalMesh mesh, PlanMethod method) {
    /** The ways tried on each logical mesh, skipping those that coincide: the ILP, Megatron on more than one device, and its 2-D combination on two axes. */
    static List<Profile> of(List<LogicalMesh> meshes) {
        List<Profile> out = new ArrayList<>();
        for (LogicalMesh m : meshes) {
            out.add(new Profile(m, PlanMethod.AUTO));
            if (m.rows() * m.cols() > 1) {
                out.add(new Profile(m, PlanMethod.MEGATRON));
            }
            if (m.rows() > 1) {
                out.add(new Profile(m, PlanMethod.DP_MEGATRON));
            }
        }
        return out;
    }

    int submesh() {
        return mesh.submesh();
    }
}
