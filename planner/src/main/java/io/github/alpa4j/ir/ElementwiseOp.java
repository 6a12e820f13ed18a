package io.github.alpa4j.ir;

import java.util.List;

/**
 * Element-wise ops: binary arithmetic with NumPy broadcasting, activations and their gradients,
 * scaling, and casts between floating-point types (mixed precision).
 */
public sealed interface ElementwiseOp extends Op {

    enum BinaryKind { ADD, SUB, MUL, DIV }

    enum Activation {
        RELU(1), GELU(10), RSQRT(4);

        /** Approximate FLOPs per element of the forward function. */
        public final int flopsPerElement;

        Activation(int flopsPerElement) {
            this.flopsPerElement = flopsPerElement;
        }
    }

    /** {@code a ∘ b} with broadcasting; a bias add is an ADD of a [n] vector to a [..., n] tensor. */
    record Binary(BinaryKind kind) implements ElementwiseOp {
        @Override
        public String opName() {
            return kind.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0, 1);
            if (in.get(0).dtype() != in.get(1).dtype()) {
                throw Op.mismatch(this, "dtypes differ", in);
            }
            Shape s = Broadcast.shape(in.get(0).shape(), in.get(1).shape());
            if (s == null) {
                throw Op.mismatch(this, "shapes do not broadcast", in);
            }
            return in.get(0).withShape(s);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return out.size();
        }
    }

    /** relu(x), gelu(x) (tanh form) or 1/√x (batch norm's inverse standard deviation). */
    record Unary(Activation activation) implements ElementwiseOp {
        @Override
        public String opName() {
            return activation.name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return (long) activation.flopsPerElement * out.size();
        }
    }

    /** dx = f'(x)·dy for an activation f; inputs (x, dy). */
    record ActivationGrad(Activation activation) implements ElementwiseOp {
        @Override
        public String opName() {
            return activation.name().toLowerCase(java.util.Locale.ROOT) + "_grad";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0, 1);
            if (!in.get(0).equals(in.get(1))) {
                throw Op.mismatch(this, "x and dy must have the same type", in);
            }
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return (long) (activation.flopsPerElement + 2) * out.size();
        }
    }

    /** alpha·x. */
    record Scale(double alpha) implements ElementwiseOp {
        @Override
        public String opName() {
            return "scale";
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return out.size();
        }
    }

    /**
     * x converted to the floating-point type {@code to}: rounded to nearest, ties to even, when {@code to}
     * is narrower (bf16, f16; beyond f16's range to ±infinity), exact when wider. Mixed precision puts one
     * where an f32 master weight enters low-precision compute and where the logits leave it.
     */
    record Cast(DType to) implements ElementwiseOp {
        public Cast {
            if (!to.isFloating()) {
                throw new IllegalArgumentException("casts are between floating-point types, not to " + to.code());
            }
        }

        @Override
        public String opName() {
            return "cast_" + to.code();
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            return new TensorType(to, in.get(0).shape());
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return out.size();
        }
    }
}
