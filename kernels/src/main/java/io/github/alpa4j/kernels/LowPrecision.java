package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.DType;

/**
 * The values of bf16 and f16 held in float32, as the engine stores low-precision tensors: a float
 * rounded to the narrow type and widened back (exactly). bf16 by {@link Bf16}'s bit manipulation,
 * f16 by Java's IEEE conversion ({@link Float#floatToFloat16}); both round to nearest, ties to even.
 * cast.cu rounds the same, bit for bit. Also the CPU's loops of the bf16 casts and of fp16 loss
 * scaling's overflow check.
 */
public final class LowPrecision {
    private LowPrecision() {
    }

    /** {@code x} as the nearest value of {@code type}. */
    public static float round(DType type, float x) {
        return switch (type) {
            case F32 -> x;
            case BF16 -> Bf16.toFloat(Bf16.fromFloat(x));
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
            case I32 -> throw new IllegalArgumentException("i32 is not a floating-point type to round to");
        };
    }

    /** y[i] = round(type, x[i]) for i < n (x and y may be the same array). */
    public static void round(DType type, float[] x, float[] y, int n) {
        switch (type) {
            case F32 -> System.arraycopy(x, 0, y, 0, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Bf16.toFloat(Bf16.fromFloat(x[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
                }
            }
            case I32 -> throw new IllegalArgumentException("i32 is not a floating-point type to round to");
        }
    }

    /** y[i] = bf16 bits of x[i]. */
    static void toBf16(float[] x, short[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Bf16.fromFloat(x[i]);
        }
    }

    /** y[i] = the float of bf16 bits x[i] (exact). */
    static void fromBf16(short[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Bf16.toFloat(x[i]);
        }
    }

    /** flag[0] = 1 if any of x's first n elements is infinite or NaN; otherwise flag is left as it is. */
    static void flagNonFinite(float[] x, int n, float[] flag) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                flag[0] = 1;
                return;
            }
        }
    }
}
