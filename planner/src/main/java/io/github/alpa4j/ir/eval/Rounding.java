package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.DType;

/**
 * The values a floating-point type can hold, for the reference: a real number rounded to the nearest
 * one, ties to even, with gradual underflow and overflow to infinity, from the format's precision and
 * exponent range alone (IEEE 754 §4.3.1). It shares nothing with the kernels' bit manipulation, which
 * is checked against it.
 */
final class Rounding {
    private Rounding() {
    }

    /** {@code x} rounded to type {@code t}; f32 through Java's own conversion, i32 unchanged. */
    static double round(DType t, double x) {
        return switch (t) {
            case F32 -> (float) x;
            case BF16 -> round(x, 8, -126, 127);
            case F16 -> round(x, 11, -14, 15);
            case I32 -> x;
        };
    }

    /**
     * To a binary format of {@code precision} significand bits (the leading one included) and normal
     * exponents {@code minExponent..maxExponent}. Below the smallest normal the spacing stays that of
     * the smallest normal (subnormals).
     */
    private static double round(double x, int precision, int minExponent, int maxExponent) {
        if (!Double.isFinite(x) || x == 0) {
            return x;
        }
        // f32 first, as the kernels compute: the result of an f32 kernel is what gets rounded
        double v = (float) x;
        int e = Math.max(Math.getExponent(v), minExponent);
        double spacing = Math.scalb(1.0, e - (precision - 1));
        double r = Math.rint(v / spacing) * spacing;
        double largest = Math.scalb(2.0 - Math.scalb(1.0, 1 - precision), maxExponent);
        return Math.abs(r) > largest ? Math.copySign(Double.POSITIVE_INFINITY, x) : r;
    }
}
