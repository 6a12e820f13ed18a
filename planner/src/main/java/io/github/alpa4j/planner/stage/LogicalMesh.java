package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical shape of a submesh, with the mesh its costs are computed on: the submesh's devices taken
 * from the start of the cluster (the first hosts, or the first GPUs of host 0), which have the same
 * links as any place the submesh is later put.
 *
 * @param submesh index of the submesh in the DP's list
 */
record LogicalMesh(int submesh, Submesh physical, int rows, int cols, DeviceMesh costMesh) {

    /** Every logical shape of every submesh, grouped by submesh in order. */
    static List<LogicalMesh> of(Cluster cluster, List<Submesh> submeshes, LogicalShapeSpace space) {
        List<LogicalMesh> out = new ArrayList<>();
        for (int m = 0; m < submeshes.size(); m++) {
            Submesh s = submeshes.get(m);
            for (int[] shape : space.of(s.devices(), cluster.gpusPerHost())) {
                out.add(new LogicalMesh(m, s, shape[0], shape[1], DeviceMesh.of(cluster, shape[0], shape[1])));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return rows + "x" + cols;
    }
}
