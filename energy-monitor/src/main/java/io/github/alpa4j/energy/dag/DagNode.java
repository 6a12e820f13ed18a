package io.github.alpa4j.energy.dag;

/** A node of a pipeline iteration's computation DAG: a computation, or the source or sink around them. */
public sealed interface DagNode permits Computation, DagNode.Source, DagNode.Sink {

    /** Where the iteration starts; precedes every computation without predecessors. */
    record Source() implements DagNode {
        @Override
        public String toString() {
            return "source";
        }
    }

    /** Where the iteration ends; follows every computation without successors. */
    record Sink() implements DagNode {
        @Override
        public String toString() {
            return "sink";
        }
    }
}
