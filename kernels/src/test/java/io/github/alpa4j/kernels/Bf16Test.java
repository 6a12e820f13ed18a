package io.github.alpa4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Bf16Test {

    static int bits(float f) {
        return Bf16.fromFloat(f) & 0xffff;
    }

    @Test
    void rounds_to_nearest_with_ties_to_even() {
        assertThat(bits(1f)).isEqualTo(0x3f80);
        assertThat(bits(Math.scalb(1f, -9) + 1f)).as("below half an ulp").isEqualTo(0x3f80);
        assertThat(bits(1f + Math.scalb(1f, -8))).as("halfway, 0x3f80 is even").isEqualTo(0x3f80);
        assertThat(bits(1f + 3 * Math.scalb(1f, -8))).as("halfway, 0x3f82 is even").isEqualTo(0x3f82);
        assertThat(bits(1f + Math.scalb(1f, -8) + Math.scalb(1f, -20))).as("just above halfway").isEqualTo(0x3f81);
        assertThat(bits(-2.5f)).isEqualTo(0xc020);
        assertThat(bits(Float.MAX_VALUE)).as("overflows to infinity").isEqualTo(0x7f80);
        assertThat(bits(Float.NEGATIVE_INFINITY)).isEqualTo(0xff80);
        assertThat(bits(Float.MIN_VALUE)).as("the smallest subnormal rounds to zero").isEqualTo(0x0000);
        assertThat(bits(-0f)).isEqualTo(0x8000);
    }

    @Test
    void nan_stays_a_quiet_nan_with_its_sign() {
        assertThat(bits(Float.NaN)).isEqualTo(0x7fc0);
        assertThat(bits(Float.intBitsToFloat(0x7f800001))).as("signalling NaN, low payload").isEqualTo(0x7fc0);
        assertThat(bits(Float.intBitsToFloat(0xff800001))).isEqualTo(0xffc0);
        assertThat(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN)))).isTrue();
    }

    @Test
    void every_bf16_value_survives_a_round_trip() {
        for (int b = 0; b < 0x10000; b++) {
            float f = Bf16.toFloat((short) b);
            if (!Float.isNaN(f)) {
                assertThat(bits(f)).isEqualTo(b);
            }
        }
    }

    @Test
    void relative_error_is_at_most_half_an_ulp_of_bf16() {
        Random r = new Random(11);
        CpuKernels k = new CpuKernels();
        float[] x = new float[10_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
        }
        short[] h = new short[x.length];
        float[] back = new float[x.length];
        k.toBf16(x, h, x.length);
        k.fromBf16(h, back, x.length);
        for (int i = 0; i < x.length; i++) {
            assertThat(Math.abs(back[i] - x[i])).isLessThanOrEqualTo(Math.abs(x[i]) * 0x1p-8f);
        }
    }
}
