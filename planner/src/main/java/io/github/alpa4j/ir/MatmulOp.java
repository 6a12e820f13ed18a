package io.github.alpa4j.ir;

import java.util.List;

/**
 * Matrix products. {@code C = op(A) · op(B)} where op transposes the last two dimensions when asked.
 * Shapes: both rank 2; or equal ranks ≥ 3 with equal leading (batch) dimensions; or A of rank ≥ 3
 * (not transposed) times a rank-2 B, which multiplies every row of A's leading dimensions by the
 * same B (a linear layer over [batch, seq, hidden]).
 */
public sealed interface MatmulOp extends Op {

    record MatMul(boolean transA, boolean transB) implements MatmulOp {
        public static MatMul plain() {
            return new MatMul(false, false);
        }

        @Override
        public String opName() {
            return "matmul" + (transA ? "_tA" : "") + (transB ? "_tB" : "");
        }

        @Override
        public int arity() {
            return 2;
        }

        /** True when A has batch dimensions and B does not. */
        public boolean broadcastsB(List<TensorType> in) {
            return in.get(0).rank() > 2 && in.get(1).rank() == 2;
        }

        public int m(List<TensorType> in) {
            TensorType a = in.get(0);
            return transA ? a.dim(-1) : a.dim(-2);
        }

        public int k(List<TensorType> in) {
            TensorType a = in.get(0);
            return transA ? a.dim(-2) : a.dim(-1);
        }

        public int n(List<TensorType> in) {
            TensorType b = in.get(1);
            return transB ? b.dim(-2) : b.dim(-1);
        }

        /** Number of independent products (the product of A's leading dimensions). */
        public long batch(List<TensorType> in) {
            TensorType a = in.get(0);
            return a.shape().size(0, a.rank() - 2);
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0, 1);
            TensorType a = in.get(0);
            TensorType b = in.get(1);
            if (a.dtype() != b.dtype()) {
                throw Op.mismatch(this, "dtypes differ", in);
            }
            if (a.rank() < 2 || b.rank() < 2) {
                throw Op.mismatch(this, "operands need rank >= 2", in);
            }
            boolean sameRank = a.rank() == b.rank();
            if (!sameRank && !(b.rank() == 2 && !transA)) {
                throw Op.mismatch(this, "ranks differ; only a rank-2 right operand may be broadcast, without transA", in);
            }
            if (sameRank) {
                for (int i = 0; i < a.rank() - 2; i++) {
                    if (a.dim(i) != b.dim(i)) {
                        throw Op.mismatch(this, "batch dimension " + i + " differs", in);
                    }
                }
            }
            int kb = transB ? b.dim(-1) : b.dim(-2);
            if (k(in) != kb) {
                throw Op.mismatch(this, "contracting dimensions differ (" + k(in) + " vs " + kb + ")", in);
            }
            int[] out = a.shape().dims();
            out[out.length - 2] = m(in);
            out[out.length - 1] = n(in);
            return new TensorType(a.dtype(), Shape.of(out));
        }

        @Override
        public long flops(List<TensorType> in, TensorType output) {
            return 2L * batch(in) * m(in) * n(in) * k(in);
        }
    }
}
