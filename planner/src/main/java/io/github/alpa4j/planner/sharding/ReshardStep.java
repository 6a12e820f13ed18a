package io.github.alpa4j.planner.sharding;

/** One step of a resharding: a collective across devices, or a local slice. */
public sealed interface ReshardStep permits Collective, ReshardStep.Slice {

    /** Each device keeps its own block of dimension {@code dim} along {@code axes}: local, free. */
    record Slice(MeshAxes axes, int dim) implements ReshardStep {
        @Override
        public String toString() {
            return "slice(dim " + dim + " over " + axes + ")";
        }
    }
}
