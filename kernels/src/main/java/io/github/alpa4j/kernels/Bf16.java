package io.github.alpa4j.kernels;

/**
 * bfloat16 as 16-bit patterns: the upper half of a float32. Rounding is to nearest, ties to
 * even; NaN stays a quiet NaN of the same sign. cast.cu does the same bit for bit.
 */
public final class Bf16 {
    private Bf16() {
    }

    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x0040);
        }
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
