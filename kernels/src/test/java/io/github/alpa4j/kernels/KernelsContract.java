package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link Kernels} implementation must compute, on inputs small enough to work out by
 * hand (as JGraphT's MaximumFlowAlgorithmTest for every max-flow algorithm). The CPU twin runs it
 * ({@code CpuKernelsContractTest}), and so do the CUDA sources in the CPU emulation and on a GPU.
 * Every activation and binary kind is a case, so a new kind fails here until its expected values
 * are written down; outputs start as NaN, so an element a kernel leaves unwritten fails too.
 */
public abstract class KernelsContract<F, I> {
    private static final float LN3 = (float) Math.log(3);

    protected abstract Kernels<F, I> kernels();

    /** A float buffer holding {@code values}. */
    protected abstract F floats(float... values);

    protected abstract I ints(int... values);

    /** A float buffer of n elements, each NaN. */
    protected abstract F output(int n);

    protected abstract float[] read(F buffer, int n);

    /** Whether {@link Kernels#gemm} runs here (the CPU emulation has no cuBLAS). */
    protected boolean hasGemm() {
        return true;
    }

    private void expect(F out, float... want) {
        float[] got = read(out, want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("element %d of %s", i, java.util.Arrays.toString(got))
                    .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, Math.abs(want[i]))));
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    public void activation(Activation act) {
        F y = output(5);
        kernels().activation(act, activationInput(act), y, 5);
        expect(y, switch (act) {
            case RELU -> new float[] {0, 0, 0, 0.5f, 2};
            case GELU -> new float[] {-0.04540231f, -0.15428599f, 0, 0.34571401f, 1.95459769f}; // tanh form
            case RSQRT -> new float[] {2, 1.41421356f, 1, 0.5f, 0.25f};
        });
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    public void activationGrad(Activation act) {
        F dx = output(5);
        kernels().activationGrad(act, activationInput(act), floats(1, 2, 3, 4, 5), dx, 5);
        expect(dx, switch (act) {
            case RELU -> new float[] {0, 0, 0, 4, 5}; // f'(0) = 0
            case GELU -> new float[] {-0.08609926f, 0.26526019f, 1.5f, 3.46947961f, 5.43049628f};
            case RSQRT -> new float[] {-4, -2.82842712f, -1.5f, -0.25f, -0.0390625f}; // −½·x^−3/2·dy
        });
    }

    /** Points either side of zero; 1/√x is read where it is defined. */
    private F activationInput(Activation act) {
        return act == Activation.RSQRT ? floats(0.25f, 0.5f, 1, 4, 16) : floats(-2, -0.5f, 0, 0.5f, 2);
    }

    /** A 3x3 image, 2x2 windows, stride 1: four overlapping windows; col2im of ones counts each pixel's readers. */
    @Test
    public void im2colAndCol2imOverlapping() {
        F col = output(16);
        kernels().im2col(floats(1, 2, 3, 4, 5, 6, 7, 8, 9), 1, 3, 3, 1, 2, 2, 1, 0, col);
        expect(col, 1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9);
        F img = output(9);
        kernels().col2im(floats(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 1, 3, 3, 1, 2, 2, 1, 0, img);
        expect(img, 1, 2, 1, 2, 4, 2, 1, 2, 1);
    }

    /** A 2x2 image of two channels, one 3x3 window with stride 2 and padding 1: channel-major, zeros in the padding. */
    @Test
    public void im2colPadsAndOrdersWindowsByChannel() {
        F col = output(18);
        F image = floats(1, 10, 2, 20, 3, 30, 4, 40);
        kernels().im2col(image, 1, 2, 2, 2, 3, 3, 2, 1, col);
        expect(col, 0, 0, 0, 0, 1, 2, 0, 3, 4, 0, 0, 0, 0, 10, 20, 0, 30, 40);
        F back = output(8);
        kernels().col2im(col, 1, 2, 2, 2, 3, 3, 2, 1, back);
        expect(back, 1, 10, 2, 20, 3, 30, 4, 40); // each pixel read by one window element
    }

    /** a [2, 3] ∘ b [3], b broadcast over a's rows. */
    @ParameterizedTest
    @EnumSource(BinaryKind.class)
    public void binaryBroadcastsByStrides(BinaryKind kind) {
        F out = output(6);
        kernels().binary(kind, floats(1, -2, 3, 4, 6, -8), new long[] {3, 1}, floats(2, 4, -1), new long[] {0, 1}, out,
                new int[] {2, 3});
        expect(out, switch (kind) {
            case ADD -> new float[] {3, 2, 2, 6, 10, -9};
            case SUB -> new float[] {-1, -6, 4, 2, 2, -7};
            case MUL -> new float[] {2, -8, -3, 8, 24, 8};
            case DIV -> new float[] {0.5f, -0.5f, -3, 2, 1.5f, 8};
        });
    }

    @Test
    public void fillCopyAndScale() {
        F filled = output(3);
        kernels().fill(filled, 3, 2.5f);
        expect(filled, 2.5f, 2.5f, 2.5f);
        F copied = floats(9, 9, 9, 9, 9);
        kernels().copy(floats(1, 2, 3, 4, 5, 6), 2, copied, 1, 3);
        expect(copied, 9, 3, 4, 5, 9);
        F scaled = output(3);
        kernels().scale(floats(1, -2, 4), 0.5f, scaled, 3);
        expect(scaled, 0.5f, -1, 2);
    }

    /**
     * Rounding to each floating type, worked out by hand: bf16 keeps 8 significant bits (spacing 2^-7 at 1,
     * 512 at 2^16), f16 11 (spacing 2^-10 at 1, 2^-24 below 2^-14, largest 65504); ties go to the even
     * neighbour; past f16's range to infinity.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    public void roundToEachFloatingType(DType type) {
        float[] x = {1 + 0x1p-8f, 1 + 0x1p-8f + 0x1p-12f, 1 + 0x1p-11f, 1 + 0x1p-11f + 0x1p-14f, -3.14159265f, 70000f, 65519f,
            65520f, 1e-7f};
        F y = output(x.length);
        kernels().round(type, floats(x), y, x.length);
        float[] want = switch (type) {
            case F32 -> x;
            case BF16 -> new float[] {1, 1 + 0x1p-7f, 1, 1, -3.140625f, 70144f, 65536f, 65536f, 1.0011717677116394e-7f};
            case F16 -> new float[] {1 + 0x1p-8f, 1 + 0x1p-8f, 1, 1 + 0x1p-10f, -3.140625f, Float.POSITIVE_INFINITY, 65504f,
                Float.POSITIVE_INFINITY, 0x1p-23f};
            case I32 -> throw new IllegalStateException("not a floating type");
        };
        assertThat(read(y, x.length)).as("%s", type).containsExactly(want);
        F inPlace = floats(x);
        kernels().round(type, inPlace, inPlace, x.length);
        assertThat(read(inPlace, x.length)).as("%s in place", type).containsExactly(want);
    }

    /** The flag is raised by an infinity or a NaN anywhere, never by finite values, and never lowered. */
    @Test
    public void flagNonFiniteRaisesTheFlagOnAnInfinityOrNaNOnly() {
        F flag = floats(0);
        kernels().flagNonFinite(floats(1, -65504, 3e38f, Float.MIN_VALUE, 0), 5, flag);
        expect(flag, 0);
        kernels().flagNonFinite(floats(1, 2, Float.NEGATIVE_INFINITY, 4), 4, flag);
        expect(flag, 1);
        kernels().flagNonFinite(floats(1, 2), 2, flag);
        expect(flag, 1);
        F nan = floats(0);
        kernels().flagNonFinite(floats(Float.NaN, 1, 2), 3, nan);
        expect(nan, 1);
        F beyond = floats(0);
        kernels().flagNonFinite(floats(1, 2, Float.POSITIVE_INFINITY), 2, beyond);
        expect(beyond, 0);
    }

    @Test
    public void stridedTransposesAndSlices() {
        F t = output(6);
        kernels().strided(floats(1, 2, 3, 4, 5, 6), 0, new long[] {1, 3}, t, new int[] {3, 2});
        expect(t, 1, 4, 2, 5, 3, 6);
        F column = output(2);
        kernels().strided(floats(1, 2, 3, 4, 5, 6), 2, new long[] {3}, column, new int[] {2});
        expect(column, 3, 6);
    }

    @Test
    public void reduceSumOverAnyDimensions() {
        F x = floats(1, 2, 3, 4, 5, 6);
        F cols = output(3);
        kernels().reduceSum(x, new int[] {2, 3}, new boolean[] {true, false}, 1f, cols);
        expect(cols, 5, 7, 9);
        F rows = output(2);
        kernels().reduceSum(x, new int[] {2, 3}, new boolean[] {false, true}, 0.5f, rows);
        expect(rows, 3, 7.5f);
        F all = output(1);
        kernels().reduceSum(x, new int[] {2, 3}, new boolean[] {true, true}, 1f, all);
        expect(all, 21);
    }

    @Test
    public void softmaxMasksLaterKeysWhenCausal() {
        F y = output(2);
        kernels().softmax(floats(0, LN3), y, 1, 2, 0);
        expect(y, 0.25f, 0.75f);
        F causal = output(4);
        kernels().softmax(floats(5, 100, 0, LN3), causal, 2, 2, 2);
        expect(causal, 1, 0, 0.25f, 0.75f);
        F dx = output(2);
        kernels().softmaxGrad(floats(0.25f, 0.75f), floats(1, 3), dx, 1, 2);
        expect(dx, -0.375f, 0.375f);
    }

    @Test
    public void layerNormAndItsGradients() {
        F x = floats(1, 2, 3, 4, 1, 2, 3, 4);
        F gamma = floats(1, 1, 2, 2);
        F y = output(4);
        kernels().layerNorm(x, gamma, floats(0, 0, 0, 1), y, 1, 4, 0f);
        expect(y, -1.34164079f, -0.44721360f, 0.89442719f, 3.68328157f);
        F dy = floats(1, -1, 2, 0.5f, 1, 1, 1, 1);
        F dx = output(4);
        kernels().layerNormGrad(x, gamma, dy, dx, 1, 4, 0f);
        expect(dx, 0.44721360f, -1.78885438f, 2.23606798f, -0.89442719f);
        F dgamma = output(4);
        kernels().layerNormGammaGrad(x, dy, dgamma, 2, 4, 0f);
        expect(dgamma, -2.68328157f, 0, 1.34164079f, 2.01246118f);
    }

    /** A vocabulary shard holding rows 1..3 of a 3-row table: ids outside it read zeros and get no gradient. */
    @Test
    public void embeddingShard() {
        F out = output(8);
        kernels().embedding(ints(0, 2, 3, 4), floats(10, 11, 20, 21, 30, 31), out, 4, 2, 1, 3);
        expect(out, 0, 0, 20, 21, 30, 31, 0, 0);
        F dtable = output(6);
        kernels().embeddingGrad(ints(2, 2, 3, 0), floats(1, 2, 3, 4, 5, 6, 7, 8), dtable, 4, 2, 1, 3);
        expect(dtable, 0, 0, 4, 6, 5, 6);
    }

    @Test
    public void crossEntropyAndItsGradient() {
        F logits = floats(0, LN3, LN3, 0);
        F loss = output(1);
        kernels().crossEntropy(logits, ints(1, 1), loss, 2, 2, 0.5f);
        expect(loss, 0.83698822f); // (ln 4/3 + ln 4) / 2
        F dlogits = output(4);
        kernels().crossEntropyGrad(logits, ints(1, 1), floats(2), dlogits, 2, 2, 0.5f);
        expect(dlogits, 0.25f, -0.25f, 0.75f, -0.75f);
    }

    /** One shard of vocabulary-parallel cross entropy: row 1's label lies in another shard. */
    @Test
    public void vocabParallelCrossEntropyFromRowStatistics() {
        F logits = floats(0, LN3, LN3, 0);
        I labels = ints(1, 3);
        F max = output(2);
        kernels().rowMax(logits, max, 2, 2);
        expect(max, LN3, LN3);
        F sumExp = output(2);
        kernels().rowSumExp(logits, floats(LN3, LN3), sumExp, 2, 2);
        expect(sumExp, 4f / 3, 4f / 3);
        F target = output(2);
        kernels().pickTarget(logits, labels, target, 2, 2, 0);
        expect(target, LN3, 0);
        F loss = output(1);
        kernels().crossEntropyFromStats(floats(LN3, LN3), floats(4f / 3, 4f / 3), floats(LN3, 0), loss, 2, 0.5f);
        expect(loss, 0.83698822f);
        F dlogits = output(4);
        kernels().crossEntropyGradFromStats(logits, labels, floats(LN3, LN3), floats(4f / 3, 4f / 3), floats(2), dlogits, 2, 2,
                0, 0.5f);
        expect(dlogits, 0.25f, -0.25f, 0.75f, 0.25f);
    }

    @Test
    public void mse() {
        F loss = output(1);
        kernels().mse(floats(1, 2, 3), floats(1, 0, 6), loss, 3, 1f / 3);
        expect(loss, 13f / 3);
    }

    @Test
    public void sgdAndMomentum() {
        F v = output(2);
        kernels().momentumUpdate(floats(1, 2), floats(0.5f, -1), floats(10, 20), v, 2, 0.9f, 0.01f);
        expect(v, 1.5f, 1.0f);
        F p = output(2);
        kernels().sgdApply(floats(1, 2), floats(10, -10), p, 2, 0.1f);
        expect(p, 0, 3);
    }

    @Test
    public void adamW() {
        F m = output(2);
        kernels().adamMoment(floats(1, 2), floats(3, -4), m, 2, 0.5f, false);
        expect(m, 2, -1);
        F v = output(2);
        kernels().adamMoment(floats(1, 2), floats(3, -4), v, 2, 0.5f, true);
        expect(v, 5, 9);
        // t = 1: m̂ = 0.1 / 0.1 = 1, v̂ = 0.04 / 0.01 = 4, update 1 / 2 + 0.1·1
        F p = output(1);
        kernels().adamApply(floats(1), floats(0.1f), floats(0.04f), floats(1), p, 1, 0.1f, 0.9f, 0.99f, 0f, 0.1f);
        expect(p, 0.94f);
        F t = output(1);
        kernels().stepIncrement(floats(41), t);
        expect(t, 42);
    }

    @Test
    public void gemm() {
        assumeThat(hasGemm()).as("matrix products need cuBLAS").isTrue();
        F c = output(4);
        kernels().gemm(false, false, 2, 2, 3, 1f, floats(1, 2, 3, 4, 5, 6), 0, floats(1, 0, 0, 1, 1, 1), 0, 0f, c, 0, 1);
        expect(c, 4, 5, 10, 11);
    }
}
