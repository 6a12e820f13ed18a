package io.github.alpa4j.ir;

import java.util.List;

/** Sums and means over a set of axes. */
public sealed interface ReductionOp extends Op {

    /** Axes reduced, in increasing order, non-negative. */
    List<Integer> axes();

    boolean keepDims();

    @Override
    default int arity() {
        return 1;
    }

    @Override
    default TensorType infer(List<TensorType> in) {
        expectArity(in);
        Op.requireFloat(this, in, 0);
        return in.get(0).withShape(reducedShape(this, in));
    }

    @Override
    default long flops(List<TensorType> in, TensorType out) {
        return in.get(0).size();
    }

    /** True if {@code axis} is reduced. */
    default boolean reduces(int axis) {
        return axes().contains(axis);
    }

    private static Shape reducedShape(ReductionOp op, List<TensorType> in) {
        Shape s = in.get(0).shape();
        int prev = -1;
        for (int a : op.axes()) {
            if (a <= prev || a >= s.rank()) {
                throw Op.mismatch(op, "axes " + op.axes() + " must be increasing and within rank " + s.rank(), in);
            }
            prev = a;
        }
        int[] out = new int[op.keepDims() ? s.rank() : s.rank() - op.axes().size()];
        int j = 0;
        for (int i = 0; i < s.rank(); i++) {
            if (op.reduces(i)) {
                if (op.keepDims()) {
                    out[j++] = 1;
                }
            } else {
                out[j++] = s.dim(i);
            }
        }
        return out.length == 0 ? Shape.scalar() : Shape.of(out);
    }

    record ReduceSum(List<Integer> axes, boolean keepDims) implements ReductionOp {
        public ReduceSum {
            axes = List.copyOf(axes);
        }

        @Override
        public String opName() {
            return "reduce_sum";
        }
    }

    record ReduceMean(List<Integer> axes, boolean keepDims) implements ReductionOp {
        public ReduceMean {
            axes = List.copyOf(axes);
        }

        @Override
        public String opName() {
            return "reduce_mean";
        }
    }
}
