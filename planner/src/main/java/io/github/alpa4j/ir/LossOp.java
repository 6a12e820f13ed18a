package io.github.alpa4j.ir;

import java.util.List;

/** Losses reduced to a scalar mean, and the cross-entropy gradient. */
public sealed interface LossOp extends Op {

    /** Mean over positions of −log softmax(logits)[label]; inputs (logits [..., V], labels i32 [...]). */
    record CrossEntropy() implements LossOp {
        @Override
        public String opName() {
            return "cross_entropy";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            checkLogitsLabels(this, in);
            return new TensorType(in.get(0).dtype(), Shape.scalar());
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 4L * in.get(0).size();
        }
    }

    /** d logits = (softmax(logits) − onehot(labels))·dloss / N; inputs (logits, labels, dloss []). */
    record CrossEntropyGrad() implements LossOp {
        @Override
        public String opName() {
            return "cross_entropy_grad";
        }

        @Override
        public int arity() {
            return 3;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            checkLogitsLabels(this, in);
            if (in.get(2).rank() != 0) {
                throw Op.mismatch(this, "dloss must be a scalar", in);
            }
            return in.get(0);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 5L * in.get(0).size();
        }
    }

    /** Mean of (pred − target)²; inputs (pred, target) of equal type. */
    record MseLoss() implements LossOp {
        @Override
        public String opName() {
            return "mse_loss";
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
                throw Op.mismatch(this, "prediction and target must have the same type", in);
            }
            return new TensorType(in.get(0).dtype(), Shape.scalar());
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 3L * in.get(0).size();
        }
    }

    private static void checkLogitsLabels(Op op, List<TensorType> in) {
        TensorType logits = in.get(0);
        TensorType labels = in.get(1);
        if (!logits.dtype().isFloating() || labels.dtype() != DType.I32 || logits.rank() != labels.rank() + 1) {
            throw Op.mismatch(op, "needs float logits [..., V] and i32 labels [...]", in);
        }
        for (int i = 0; i < labels.rank(); i++) {
            if (labels.dim(i) != logits.dim(i)) {
                throw Op.mismatch(op, "logits and labels disagree on dimension " + i, in);
            }
        }
    }
}
