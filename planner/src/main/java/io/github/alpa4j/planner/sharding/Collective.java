package io.github.alpa4j.planner.sharding;

/**
 * A collective over the device groups along {@code axes} of the mesh. {@code bytes} is what the
 * alpha-beta formulas take (REFERENCES §1): for all-reduce and all-to-all the buffer each device
 * holds, for all-gather the gathered result per device, for reduce-scatter the input per device.
 */
public sealed interface Collective extends ReshardStep {
    MeshAxes axes();

    long bytes();

    /** Short name used in tables and JSON: all-reduce, all-gather, reduce-scatter, all-to-all. */
    String kind();

    enum ReduceOp { SUM, MAX }

    /** Every device ends with the reduction of all devices' buffers. */
    record AllReduce(MeshAxes axes, long bytes, ReduceOp op) implements Collective {
        @Override
        public String kind() {
            return "all-reduce";
        }
    }

    /** Shards of dimension {@code dim} are concatenated on every device. */
    record AllGather(MeshAxes axes, int dim, long bytes) implements Collective {
        @Override
        public String kind() {
            return "all-gather";
        }
    }

    /** Partial sums are reduced and each device keeps its block of dimension {@code dim}. */
    record ReduceScatter(MeshAxes axes, int dim, long bytes) implements Collective {
        @Override
        public String kind() {
            return "reduce-scatter";
        }
    }

    /** The split moves from dimension {@code fromDim} (gathered) to {@code toDim} (scattered). */
    record AllToAll(MeshAxes axes, int fromDim, int toDim, long bytes) implements Collective {
        @Override
        public String kind() {
            return "all-to-all";
        }
    }
}
