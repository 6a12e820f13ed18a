import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU kernels' two transcendental loops written twice, side by side: as the kernels write them
 * (plain loops that C2 vectorises: Cephes' exp with the exponent bits in a second pass, Eigen's
 * rational tanh for GELU) and with the JDK's Vector API (jdk.incubator.vector, whose EXP and TANH
 * lanes call the JDK's SVML-based vector math). Alternates the two, several rounds, and prints the
 * best time per element of each. Run by bench/vector-api-vs-loops.sh.
 */
public final class VectorApiVsLoops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float GELU_C = (float) Math.sqrt(2 / Math.PI);
    private static final int BLOCK = 256;
    private static final int[] BITS = new int[BLOCK];

    /** As CpuMath.exp: y[i] = exp(x[i] - shift). */
    static void expLoops(float[] x, float shift, float[] y, int from, int to) {
        for (int b = from; b < to; b += BLOCK) {
            int end = Math.min(to, b + BLOCK);
            for (int i = b; i < end; i++) {
                float v = Math.max(-87.33f, x[i] - shift);
                float k = (v * 1.44269504088896341f + 12582912f) - 12582912f;
                float r = v - k * 0.693359375f - k * -2.12194440e-4f;
                float p = 1.9875691500e-4f;
                p = p * r + 1.3981999507e-3f;
                p = p * r + 8.3334519073e-3f;
                p = p * r + 4.1665795894e-2f;
                p = p * r + 1.6666665459e-1f;
                p = p * r + 5.0000001201e-1f;
                y[i] = p * (r * r) + r + 1f;
                BITS[i - b] = ((int) k + 127) << 23;
            }
            for (int i = b; i < end; i++) {
                y[i] *= Float.intBitsToFloat(BITS[i - b]);
            }
        }
    }

    static void expVector(float[] x, float shift, float[] y, int from, int to) {
        int i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromArray(S, x, i).sub(shift).lanewise(VectorOperators.EXP).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = (float) Math.exp(x[i] - shift);
        }
    }

    /** As CpuMath.tanh. */
    static float tanh(float u) {
        float x = Math.max(-7.90531110763549805f, Math.min(7.90531110763549805f, u));
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

    static void geluLoops(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1f + tanh(GELU_C * (v + 0.044715f * v * v * v)));
        }
    }

    static void geluVector(float[] x, float[] y, int n) {
        int i = 0;
        for (; i + S.length() <= n; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector u = v.mul(v).mul(v).mul(0.044715f).add(v).mul(GELU_C);
            v.mul(0.5f).mul(u.lanewise(VectorOperators.TANH).add(1f)).intoArray(y, i);
        }
        for (; i < n; i++) {
            float v = x[i];
            y[i] = 0.5f * v * (1f + (float) Math.tanh(GELU_C * (v + 0.044715f * v * v * v)));
        }
    }

    interface Kernel {
        void run();
    }

    static long best(Kernel k, int reps) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            k.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best;
    }

    public static void main(String[] args) {
        int n = 1 << 20;
        int row = 128;
        float[] x = new float[n];
        float[] y = new float[n];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian() * 2;
        }
        // softmax rows of 128, each shifted by its own first element (any shift; the work is the same)
        Kernel expL = () -> {
            for (int b = 0; b < n; b += row) {
                expLoops(x, x[b] + 8f, y, b, b + row);
            }
        };
        Kernel expV = () -> {
            for (int b = 0; b < n; b += row) {
                expVector(x, x[b] + 8f, y, b, b + row);
            }
        };
        Kernel geluL = () -> geluLoops(x, y, n);
        Kernel geluV = () -> geluVector(x, y, n);
        for (Kernel k : new Kernel[] {expL, expV, geluL, geluV}) {
            best(k, 200); // both compiled by C2 before timing
        }
        long[] t = new long[4];
        java.util.Arrays.fill(t, Long.MAX_VALUE);
        for (int round = 0; round < 10; round++) {
            t[0] = Math.min(t[0], best(expL, 5));
            t[1] = Math.min(t[1], best(expV, 5));
            t[2] = Math.min(t[2], best(geluL, 5));
            t[3] = Math.min(t[3], best(geluV, 5));
        }
        System.out.printf("exp, softmax rows of 128|%.2f|%.2f%n", t[0] / (double) n, t[1] / (double) n);
        System.out.printf("GELU (tanh form)|%.2f|%.2f%n", t[2] / (double) n, t[3] / (double) n);
        System.out.printf("species|%s%n", S);
    }
}
