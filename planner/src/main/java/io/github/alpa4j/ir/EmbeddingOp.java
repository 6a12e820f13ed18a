package io.github.alpa4j.ir;

import java.util.List;

/** Table lookups: rows of a [V, H] table picked by integer ids, and the scatter-add gradient. */
public sealed interface EmbeddingOp extends Op {

    /** out[..., :] = table[ids[...], :]; inputs (ids i32 [...], table [V, H]). */
    record Embedding() implements EmbeddingOp {
        @Override
        public String opName() {
            return "embedding";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            TensorType ids = in.get(0);
            TensorType table = in.get(1);
            if (ids.dtype() != DType.I32 || table.rank() != 2 || !table.dtype().isFloating()) {
                throw Op.mismatch(this, "needs i32 ids and a [V, H] table", in);
            }
            int[] out = new int[ids.rank() + 1];
            System.arraycopy(ids.shape().dims(), 0, out, 0, ids.rank());
            out[ids.rank()] = table.dim(1);
            return new TensorType(table.dtype(), Shape.of(out));
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return 0;
        }

        @Override
        public long bytesRead(List<TensorType> in) {
            return in.get(0).bytes() + in.get(0).size() * in.get(1).dim(1) * in.get(1).dtype().bytes();
        }
    }

    /** d table: rows of dy added into a zero [V, H] table at ids; inputs (ids, dy). */
    record EmbeddingGrad(int vocab) implements EmbeddingOp {
        @Override
        public String opName() {
            return "embedding_grad";
        }

        @Override
        public int arity() {
            return 2;
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            TensorType ids = in.get(0);
            TensorType dy = in.get(1);
            if (ids.dtype() != DType.I32 || dy.rank() != ids.rank() + 1) {
                throw Op.mismatch(this, "needs i32 ids [...] and dy [..., H]", in);
            }
            for (int i = 0; i < ids.rank(); i++) {
                if (ids.dim(i) != dy.dim(i)) {
                    throw Op.mismatch(this, "ids and dy disagree on dimension " + i, in);
                }
            }
            return new TensorType(dy.dtype(), Shape.of(vocab, dy.dim(-1)));
        }

        @Override
        public long flops(List<TensorType> in, TensorType out) {
            return in.get(1).size();
        }
    }
}
