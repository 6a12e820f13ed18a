package io.github.alpa4j.ir;

/** NumPy broadcasting: shapes are aligned on the right; a dimension of 1 (or a missing one) stretches. */
public final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of {@code a} and {@code b}, or null if they are incompatible. */
    public static Shape shape(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
            int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = Math.max(da, db);
        }
        return r == 0 ? Shape.scalar() : Shape.of(out);
    }

    /**
     * Element strides with which an operand of shape {@code in} is read to fill {@code out}:
     * 0 along broadcast dimensions, row-major strides elsewhere.
     */
    public static long[] strides(Shape in, Shape out) {
        long[] own = in.strides();
        long[] s = new long[out.rank()];
        int off = out.rank() - in.rank();
        for (int i = 0; i < out.rank(); i++) {
            int j = i - off;
            s[i] = (j < 0 || in.dim(j) == 1) ? 0 : own[j];
        }
        return s;
    }

    /**
     * Axes of {@code out} along which an operand of shape {@code in} was broadcast (the axes to
     * sum over when the gradient flows back to it).
     */
    public static int[] broadcastAxes(Shape in, Shape out) {
        int off = out.rank() - in.rank();
        int n = 0;
        int[] axes = new int[out.rank()];
        for (int i = 0; i < out.rank(); i++) {
            int j = i - off;
            if (j < 0 || (in.dim(j) == 1 && out.dim(i) != 1)) {
                axes[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(axes, n);
    }
}
