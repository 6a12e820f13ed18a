package io.github.alpa4j.ir;

/** A handle on a node while a graph is being built. */
public record Value(int id, TensorType type) {
    public Shape shape() {
        return type.shape();
    }

    public int rank() {
        return type.rank();
    }

    public int dim(int i) {
        return type.dim(i);
    }
}
