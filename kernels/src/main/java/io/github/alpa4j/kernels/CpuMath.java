package io.github.alpa4j.kernels;

/**
 * exp and tanh over float arrays in loops that C2 turns into SIMD code: only arithmetic, min/max and
 * int conversions, no calls. {@code Math.exp} and {@code Math.tanh} are scalar calls that keep a loop
 * scalar (Math.tanh cost 40 ns an element here, a quarter of the 6-layer GPT's step).
 *
 * <p>What keeps C2's SuperWord from vectorising a loop, found by timing variants on JDK 25 (these
 * rules shape every loop of the CPU kernels): float arrays read and written at different offsets
 * ({@code y[yo + i] = f(x[xo + i])}: they may be one array, so a store may feed a later load) once
 * the body is more than a few operations; and long bodies (GELU's gradient with its tanh). So loops
 * index every array they write with the same expression as the arrays they read, and long chains
 * are cut into passes over a block that stays in the L1 cache.
 *
 * <p>exp is Cephes' expf (range reduction by ln 2 in two parts, a degree-6 polynomial, relative
 * error below 1.2e-7); tanh is Eigen's rational approximation (the one PyTorch's and TensorFlow's
 * CPU kernels use; absolute error below 2e-7 on this machine). Both are checked against float64
 * in {@code CpuMathTest}.
 */
final class CpuMath {
    /** Elements per exp block: the exponents of one block go through a small int buffer. */
    static final int BLOCK = 256;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding and subtracting it rounds a float below 2^22 to the nearest integer. */
    private static final float ROUND = 12582912f;
    /** exp underflows to subnormals below this. */
    private static final float EXP_MIN = -87.33f;
    private static final float TANH_CLAMP = 7.90531110763549805f;
    private static final ThreadLocal<int[]> EXPONENTS = ThreadLocal.withInitial(() -> new int[BLOCK]);

    private CpuMath() {
    }

    /**
     * y[i] = exp(x[i] − shift) for i in [from, to), for arguments at most 88 (callers shift by the
     * row's maximum, so theirs are at most 0); below −87.33 the argument is clamped (exp of it is
     * about 1e-38 instead of a subnormal or zero). x and y may be the same array. {@code bits} is
     * this thread's {@link #exponents()}, fetched once per loop over rows (a ThreadLocal lookup per
     * row took 9 % of the small GPT's step in a profile).
     */
    static void exp(float[] x, float shift, float[] y, int from, int to, int[] bits) {
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            // C2 vectorises the int exponent and its float bits apart, not in one loop
            for (int i = b; i < end; i++) {
                float v = Math.max(EXP_MIN, x[i] - shift);
                float k = (v * LOG2E + ROUND) - ROUND;
                float r = v - k * LN2_HI - k * LN2_LO;
                float p = 1.9875691500e-4f;
                p = p * r + 1.3981999507e-3f;
                p = p * r + 8.3334519073e-3f;
                p = p * r + 4.1665795894e-2f;
                p = p * r + 1.6666665459e-1f;
                p = p * r + 5.0000001201e-1f;
                y[i] = p * (r * r) + r + 1f;
                bits[i - b] = ((int) k + 127) << 23;
            }
            for (int i = b; i < end; i++) {
                y[i] *= Float.intBitsToFloat(bits[i - b]);
            }
        }
    }

    /** The calling thread's buffer for {@link #exp}'s exponent bits. */
    static int[] exponents() {
        return EXPONENTS.get();
    }

    /** tanh(u), clamped where it is ±1 in float. */
    static float tanh(float u) {
        float x = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, u));
        float x2 = x * x;
        float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
        p = p * x2 + -8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        p = p * x;
        float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return p / q;
    }
}
