package io.github.alpa4j.ir;

import java.util.ArrayList;
import java.util.List;

/** Ops that move or view elements without arithmetic: reshape, permute, broadcast. */
public sealed interface LayoutOp extends Op {

    @Override
    default int arity() {
        return 1;
    }

    @Override
    default long flops(List<TensorType> inputs, TensorType output) {
        return 0;
    }

    /** Same elements in row-major order, new shape. */
    record Reshape(Shape shape) implements LayoutOp {
        @Override
        public String opName() {
            return "reshape";
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            if (in.get(0).size() != shape.size()) {
                throw Op.mismatch(this, "cannot reshape to " + shape + " (element counts differ)", in);
            }
            return in.get(0).withShape(shape);
        }

        @Override
        public long bytesRead(List<TensorType> inputs) {
            return 0; // a view of contiguous memory
        }

        @Override
        public long bytesWritten(TensorType output) {
            return 0;
        }
    }

    /** Output dimension i is input dimension perm[i]. */
    record Permute(List<Integer> perm) implements LayoutOp {
        public Permute {
            perm = List.copyOf(perm);
        }

        public static Permute of(int... perm) {
            List<Integer> p = new ArrayList<>();
            for (int x : perm) {
                p.add(x);
            }
            return new Permute(p);
        }

        public int[] permArray() {
            return perm.stream().mapToInt(Integer::intValue).toArray();
        }

        /** The permutation that undoes this one. */
        public Permute inverse() {
            int[] inv = new int[perm.size()];
            for (int i = 0; i < inv.length; i++) {
                inv[perm.get(i)] = i;
            }
            return of(inv);
        }

        @Override
        public String opName() {
            return "permute";
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Shape s = in.get(0).shape();
            if (perm.size() != s.rank()) {
                throw Op.mismatch(this, "permutation " + perm + " does not match rank " + s.rank(), in);
            }
            boolean[] seen = new boolean[perm.size()];
            int[] out = new int[perm.size()];
            for (int i = 0; i < out.length; i++) {
                int p = perm.get(i);
                if (p < 0 || p >= out.length || seen[p]) {
                    throw Op.mismatch(this, "not a permutation: " + perm, in);
                }
                seen[p] = true;
                out[i] = s.dim(p);
            }
            return in.get(0).withShape(Shape.of(out));
        }
    }

    /** Stretches the input to {@code shape} by NumPy broadcasting (the gradient of a sum). */
    record BroadcastTo(Shape shape) implements LayoutOp {
        @Override
        public String opName() {
            return "broadcast";
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Shape b = Broadcast.shape(in.get(0).shape(), shape);
            if (b == null || !b.equals(shape)) {
                throw Op.mismatch(this, "cannot broadcast to " + shape, in);
            }
            return in.get(0).withShape(shape);
        }
    }
}
