package io.github.alpa4j.ir;

import java.util.Arrays;

/** An immutable tensor shape. Rank 0 is a scalar. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d <= 0) {
                throw new ShapeException("dimensions must be positive, got " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return dims[axis(i)];
    }

    /** Normalises a possibly negative axis index, checking its range. */
    public int axis(int i) {
        int a = i < 0 ? dims.length + i : i;
        if (a < 0 || a >= dims.length) {
            throw new ShapeException("axis " + i + " out of range for shape " + this);
        }
        return a;
    }

    public int[] dims() {
        return dims.clone();
    }

    public long size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Product of the dimensions in [from, to). */
    public long size(int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims[i];
        }
        return n;
    }

    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis(axis)] = value;
        return Shape.of(d);
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
