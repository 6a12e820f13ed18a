package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlanMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * One way to run a layer range: a logical mesh and how its intra-op plan is found. The ILP's plan is
 * the fastest per microbatch, but it minimises time only: with few samples per microbatch it often
 * keeps weights whole on every device and splits the activations, which needs the most memory.
 * Megatron's plans (tensor parallel over both axes, or over axis 1 with data parallel over axis 0)
 * shard the weights; offering them too lets the DP trade speed for memory where memory binds. A
 * profile may also recompute its layers' forward values in the backward pass (rematerialisation):
 * slower, with fewer activations held per microbatch in flight.
 */
record Profile(LogicalMesh mesh, PlanMethod method, boolean remat) {
    Profile(LogicalMesh mesh, PlanMethod method) {
        this(mesh, method, false);
    }

    /** The ways tried on each logical mesh, skipping those that coincide: the ILP, Megatron on more than one device, and its 2-D combination on two axes. */
    static List<Profile> of(List<LogicalMesh> meshes) {
        return of(meshes, RematMode.NONE);
    }

    /** As {@link #of(List)}, each without recomputation, with it, or both, as {@code remat} says. */
    static List<Profile> of(List<LogicalMesh> meshes, RematMode remat) {
        List<Profile> out = new ArrayList<>();
        for (boolean r : remat.keeps() && remat.recomputes() ? new boolean[] {false, true} : new boolean[] {remat.recomputes()}) {
            for (LogicalMesh m : meshes) {
                out.add(new Profile(m, PlanMethod.AUTO, r));
                if (m.rows() * m.cols() > 1) {
                    out.add(new Profile(m, PlanMethod.MEGATRON, r));
                }
                if (m.rows() > 1) {
                    out.add(new Profile(m, PlanMethod.DP_MEGATRON, r));
                }
            }
        }
        return out;
    }

    int submesh() {
        return mesh.submesh();
    }
}
