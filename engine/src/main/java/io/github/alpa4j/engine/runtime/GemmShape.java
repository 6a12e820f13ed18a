package io.github.alpa4j.engine.runtime;

/** The shape of one (strided-batched) matrix product: op(A) m×k times op(B) k×n, {@code batch} times. */
public record GemmShape(boolean transA, boolean transB, int m, int n, int k, int batch) {

    /** Multiply-adds counted twice: 2·m·n·k per product. */
    public double flops() {
        return 2.0 * m * n * k * batch;
    }

    @Override
    public String toString() {
        return (batch > 1 ? batch + "x" : "") + m + "x" + n + "x" + k + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "");
    }
}
