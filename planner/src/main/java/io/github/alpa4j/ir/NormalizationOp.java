package io.github.alpa4j.ir;

import java.util.List;

/** Softmax and layer norm over the last dimension, with their gradients. */
public sealed interface NormalizationOp extends Op {

    /** Softmax over the last axis; {@code causal} masks key j > query i on the last two axes. */
    record Softmax(boolean causal) implements NormalizationOp {
        @Override
        public String opName() {
            return causal ? "softmax_causal" : "softmax";
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            TensorType x = in.get(0);
            if (x.rank() < 1 || (causal && (x.rank() < 2 || x.dim(-1) != x.dim(-2)))) {
                throw Op.mismatch(this, causal ? "causal softmax needs [..., S, S]" : "needs rank >= 1", in);
            }
            return x;
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 5L * out.size();
        }
    }

    /** dx = y·(dy − Σ dy·y) along the last axis; inputs (y, dy). */
    record SoftmaxGrad() implements NormalizationOp {
        @Override
        public String opName() {
            return "softmax_grad";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            if (!in.get(0).equals(in.get(1))) {
                throw Op.mismatch(this, "y and dy must have the same type", in);
            }
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 4L * out.size();
        }
    }

    /** y = (x − mean)/sqrt(var + eps)·gamma + beta over the last axis; inputs (x, gamma, beta). */
    record LayerNorm(double eps) implements NormalizationOp {
        @Override
        public String opName() {
            return "layer_norm";
        }

        @Override
        public int arity() {
            return 3;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0, 1, 2);
            checkAffine(this, in, in.get(0), in.get(1), in.get(2));
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 8L * out.size();
        }
    }

    /** dx of layer norm; inputs (x, gamma, dy). */
    record LayerNormGrad(double eps) implements NormalizationOp {
        @Override
        public String opName() {
            return "layer_norm_grad";
        }

        @Override
        public int arity() {
            return 3;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            checkAffine(this, in, in.get(0), in.get(1), in.get(1));
            if (!in.get(0).equals(in.get(2))) {
                throw Op.mismatch(this, "x and dy must have the same type", in);
            }
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 12L * out.size();
        }
    }

    /** d gamma = Σ over leading axes of dy·x̂; inputs (x, dy), output [H]. */
    record LayerNormGammaGrad(double eps) implements NormalizationOp {
        @Override
        public String opName() {
            return "layer_norm_gamma_grad";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            if (!in.get(0).equals(in.get(1)) || in.get(0).rank() < 1) {
                throw Op.mismatch(this, "x and dy must have the same type", in);
            }
            return in.get(0).withShape(Shape.of(in.get(0).dim(-1)));
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 8L * in.get(0).size();
        }
    }

    private static void checkAffine(Op op, List<TensorType> in, TensorType x, TensorType gamma, TensorType beta) {
        if (x.rank() < 1 || gamma.rank() != 1 || beta.rank() != 1
                || gamma.dim(0) != x.dim(-1) || beta.dim(0) != x.dim(-1)) {
            throw Op.mismatch(op, "gamma and beta must be [" + (x.rank() < 1 ? "?" : x.dim(-1)) + "]", in);
        }
    }
}
