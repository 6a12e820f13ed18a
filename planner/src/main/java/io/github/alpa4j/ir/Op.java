package io.github.alpa4j.ir;

import java.util.List;

/**
 * An operation of the graph IR. Ops are immutable values grouped in sealed families, one file
 * each; every op infers its output type, and reports its FLOPs and bytes moved for the cost model.
 */
public sealed interface Op
        permits SourceOp, MatmulOp, ElementwiseOp, LayoutOp, ReductionOp, NormalizationOp,
                EmbeddingOp, LossOp, OptimizerOp,
                PatchOp, RoutingOp {

    /** Short lower-case name used in tables, JSON and error messages. */
    String opName();

    /** Number of inputs the op takes. */
    int arity();

    /** Output type for the given input types; throws {@link ShapeException} when they do not fit. */
    TensorType infer(List<TensorType> inputs);

    /** Floating-point operations for one evaluation (a multiply-add counts two). */
    long flops(List<TensorType> inputs, TensorType output);

    default long bytesRead(List<TensorType> inputs) {
        long b = 0;
        for (TensorType t : inputs) {
            b += t.bytes();
        }
        return b;
    }

    default long bytesWritten(TensorType output) {
        return output.bytes();
    }

    /** Checks the input count, for use by {@link #infer}. */
    default void expectArity(List<TensorType> inputs) {
        if (inputs.size() != arity()) {
            throw new ShapeException(opName() + ": expects " + arity() + " inputs, got " + inputs.size());
        }
    }

    static ShapeException mismatch(Op op, String what, List<TensorType> inputs) {
        return new ShapeException(op.opName() + ": " + what + " (inputs " + inputs + ")");
    }

    static void requireFloat(Op op, List<TensorType> inputs, int... which) {
        for (int i : which) {
            if (!inputs.get(i).dtype().isFloating()) {
                throw mismatch(op, "input " + i + " must be floating point", inputs);
            }
        }
    }
}
