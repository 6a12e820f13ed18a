package io.github.alpa4j.ir;

import java.util.List;

/**
 * Optimizer updates as element-wise graph nodes, so the planner shards them with the parameters.
 * SGD with momentum (PyTorch's form): v' = μ·v + g + wd·p, p' = p − lr·v'.
 * AdamW (decoupled weight decay): m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
 * p' = p − lr·(m'/(1−β1^t) / (sqrt(v'/(1−β2^t)) + ε) + wd·p), t the step count after increment.
 */
public sealed interface OptimizerOp extends Op {

    @Override
    default long flops(List<TensorType> in, TensorType out) {
        return 4L * out.size();
    }

    /** Checks that inputs [0, n) have the same type as input 0. */
    private static TensorType sameTypes(Op op, List<TensorType> in, int n) {
        op.expectArity(in);
        for (int i = 1; i < n; i++) {
            if (!in.get(i).equals(in.get(0))) {
                throw Op.mismatch(op, "inputs must have the same type", in);
            }
        }
        return in.get(0);
    }

    /** v' = μ·v + g + wd·p; inputs (v, g, p). */
    record MomentumUpdate(double momentum, double weightDecay) implements OptimizerOp {
        @Override
        public String opName() {
            return "momentum_update";
        }

        @Override
        public int arity() {
            return 3;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            return sameTypes(this, in, 3);
        }
    }

    /** p' = p − lr·u; inputs (p, u). */
    record SgdApply(double lr) implements OptimizerOp {
        @Override
        public String opName() {
            return "sgd_apply";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            return sameTypes(this, in, 2);
        }
    }

    /** m' = β·m + (1−β)·g, or with g² when {@code squared}; inputs (m, g). */
    record AdamMoment(double beta, boolean squared) implements OptimizerOp {
        @Override
        public String opName() {
            return squared ? "adam_moment2" : "adam_moment1";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            return sameTypes(this, in, 2);
        }
    }

    /** The AdamW parameter step; inputs (p, m', v', t) with t a scalar step count. */
    record AdamApply(double lr, double beta1, double beta2, double eps, double weightDecay) implements OptimizerOp {
        @Override
        public String opName() {
            return "adamw_apply";
        }

        @Override
        public int arity() {
            return 4;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            if (in.size() == 4 && in.get(3).rank() != 0) {
                throw Op.mismatch(this, "step count must be a scalar", in);
            }
            return sameTypes(this, in, 3);
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 10L * out.size();
        }
    }

    /** t' = t + 1 on the scalar step counter; input (t). */
    record StepIncrement() implements OptimizerOp {
        @Override
        public String opName() {
            return "step_increment";
        }

        @Override
        public int arity() {
            return 1;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            if (in.get(0).rank() != 0) {
                throw Op.mismatch(this, "step count must be a scalar", in);
            }
            return in.get(0);
        }
    }
}
