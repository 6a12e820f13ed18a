package io.github.alpa4j.ir;

import java.util.List;

/** Nodes without inputs: trainable parameters, optimizer states, fed inputs and constants. */
public sealed interface SourceOp extends Op {

    /** The type the source produces. */
    TensorType type();

    @Override
    default int arity() {
        return 0;
    }

    @Override
    default TensorType infer(List<TensorType> inputs) {
        expectArity(inputs);
        return type();
    }

    @Override
    default long flops(List<TensorType> inputs, TensorType output) {
        return 0;
    }

    @Override
    default long bytesWritten(TensorType output) {
        return 0;
    }

    /** A trainable parameter; lives across steps. */
    record Parameter(TensorType type, Init init) implements SourceOp {
        @Override
        public String opName() {
            return "parameter";
        }
    }

    /** An optimizer state (momentum, Adam moments, step counter); lives across steps, not trained. */
    record State(TensorType type, Init init) implements SourceOp {
        @Override
        public String opName() {
            return "state";
        }
    }

    /**
     * What an input feeds: data, labels, or (fp16 training) the dynamic loss scale and its inverse, scalars the
     * runtime feeds every step as PyTorch's GradScaler keeps them.
     */
    enum InputKind { DATA, LABEL, LOSS_SCALE }

    /** A tensor fed at every step (a batch of data or labels). */
    record Input(TensorType type, InputKind kind) implements SourceOp {
        @Override
        public String opName() {
            return "input";
        }
    }

    /** A tensor filled with one value. */
    record Constant(TensorType type, double value) implements SourceOp {
        @Override
        public String opName() {
            return "constant";
        }

        @Override
        public long bytesWritten(TensorType output) {
            return output.bytes();
        }
    }
}
