package io.github.alpa4j.kernels;

import java.util.ArrayList;
import java.util.List;

/**
 * A shape walked in row-major order and the element strides at which one or more operands are read
 * along it, with dimensions merged wherever every operand steps through two as through one (as
 * PyTorch's TensorIterator coalesces them): a contiguous tensor becomes one row, a bias broadcast
 * over [B, S, H] becomes B·S rows of H. Size-1 dimensions are dropped. The last merged dimension is
 * the inner row; rows are numbered in row-major order over the others.
 */
final class Strides {
    private final int[] outer;
    private final int[][] strides;
    private final int inner;
    private final int rows;

    private Strides(int[] outer, int[][] strides, int inner) {
        this.outer = outer;
        this.strides = strides;
        this.inner = inner;
        int n = 1;
        for (int d : outer) {
            n *= d;
        }
        this.rows = inner == 0 ? 0 : n;
    }

    /** Merges {@code dims} read by operands at {@code operandStrides} (one array per operand, one stride per dim). */
    static Strides coalesce(int[] dims, long[]... operandStrides) {
        int ops = operandStrides.length;
        List<Integer> size = new ArrayList<>();
        List<int[]> step = new ArrayList<>();
        // from the innermost dimension out, merging into the group last added
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] == 0) {
                return new Strides(new int[0], new int[ops][1], 0);
            }
            if (dims[d] == 1) {
                continue;
            }
            int[] st = new int[ops];
            for (int o = 0; o < ops; o++) {
                st[o] = Math.toIntExact(operandStrides[o][d]);
            }
            int last = size.size() - 1;
            if (last >= 0 && mergeable(st, step.get(last), size.get(last))) {
                size.set(last, size.get(last) * dims[d]);
            } else {
                size.add(dims[d]);
                step.add(st);
            }
        }
        if (size.isEmpty()) {
            return new Strides(new int[0], new int[ops][1], 1);
        }
        int groups = size.size();
        int[] outer = new int[groups - 1];
        int[][] strides = new int[ops][groups];
        for (int g = 0; g < groups; g++) {
            // groups were added innermost first
            int d = groups - 1 - g;
            if (d < groups - 1) {
                outer[d] = size.get(g);
            }
            for (int o = 0; o < ops; o++) {
                strides[o][d] = step.get(g)[o];
            }
        }
        return new Strides(outer, strides, size.get(0));
    }

    /** Whether a dimension with strides {@code st} steps over exactly one whole group of {@code size} at {@code inner}. */
    private static boolean mergeable(int[] st, int[] inner, int size) {
        for (int o = 0; o < st.length; o++) {
            if (st[o] != inner[o] * size) {
                return false;
            }
        }
        return true;
    }

    /** Length of the inner row. */
    int inner() {
        return inner;
    }

    /** Number of rows. */
    int rows() {
        return rows;
    }

    /** Stride of operand {@code op} along the inner row. */
    int innerStride(int op) {
        int[] s = strides[op];
        return s[s.length - 1];
    }

    /** Rows in one run along the innermost outer dimension (1 when there is none). */
    int run() {
        return outer.length == 0 ? 1 : outer[outer.length - 1];
    }

    /** Stride of operand {@code op} from a row to the next within a {@link #run()}. */
    int runStride(int op) {
        return outer.length == 0 ? 0 : strides[op][outer.length - 1];
    }

    /** True when no outer dimension has stride 0 for operand {@code op}: each row reaches a place of its own. */
    boolean rowsDistinct(int op) {
        for (int d = 0; d < outer.length; d++) {
            if (strides[op][d] == 0) {
                return false;
            }
        }
        return true;
    }

    /** A walk over the rows from {@code first} on: each operand's row offset kept by adding strides, not by dividing. */
    Cursor cursor(int first) {
        return new Cursor(first);
    }

    /** Row offsets of every operand, row after row (an odometer over the outer dimensions). */
    final class Cursor {
        private final int[] index = new int[outer.length];
        private final int[] offset = new int[strides.length];

        private Cursor(int row) {
            for (int d = outer.length - 1; d >= 0; d--) {
                index[d] = row % outer[d];
                row /= outer[d];
            }
            for (int op = 0; op < strides.length; op++) {
                for (int d = 0; d < outer.length; d++) {
                    offset[op] += index[d] * strides[op][d];
                }
            }
        }

        /** Offset of the current row's first element in operand {@code op}. */
        int offset(int op) {
            return offset[op];
        }

        /** Moves to the next row. */
        void advance() {
            step(outer.length - 1);
        }

        /** Moves from the first row of a {@link #run()} to the first row of the next run. */
        void nextRun() {
            step(outer.length - 2);
        }

        /** Adds one along dimension d, carrying into the dimensions above it. */
        private void step(int d) {
            for (; d >= 0; d--) {
                for (int op = 0; op < offset.length; op++) {
                    offset[op] += strides[op][d];
                }
                if (++index[d] < outer[d]) {
                    return;
                }
                for (int op = 0; op < offset.length; op++) {
                    offset[op] -= outer[d] * strides[op][d];
                }
                index[d] = 0;
            }
        }
    }

    /** Element offset of row {@code row}'s first element in operand {@code op}. */
    int rowOffset(int row, int op) {
        int[] s = strides[op];
        int off = 0;
        for (int d = outer.length - 1; d >= 0 && row > 0; d--) {
            off += (row % outer[d]) * s[d];
            row /= outer[d];
        }
        return off;
    }
}
