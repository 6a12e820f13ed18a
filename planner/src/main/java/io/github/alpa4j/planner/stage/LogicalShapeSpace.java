package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.List;

/**
 * The logical 2-D shapes (rows x cols, row-major over the submesh's devices, so axis 1 runs inside a
 * host first) tried on a submesh of n devices. An n x 1 mesh is the 1 x n mesh with its axes swapped
 * and costs the same, so only 1 x n is offered.
 */
public enum LogicalShapeSpace {
    /** Alpa's default (single_node_model_parallel): (n/k, k) for k = 1, 2, 4, ... up to the GPUs of a host. */
    MODEL_PARALLEL_IN_HOST,
    /** Every factorisation rows x cols = n. */
    ALL;

    /** The shapes {rows, cols} for a submesh of {@code devices} devices on hosts of {@code gpusPerHost} GPUs. */
    public List<int[]> of(int devices, int gpusPerHost) {
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {1, devices});
        for (int cols = devices / 2; cols > 1; cols--) {
            boolean inHost = Integer.bitCount(cols) == 1 && cols <= gpusPerHost;
            if (devices % cols == 0 && (this == ALL || inHost)) {
                out.add(new int[] {devices / cols, cols});
            }
        }
        return out;
    }
}
