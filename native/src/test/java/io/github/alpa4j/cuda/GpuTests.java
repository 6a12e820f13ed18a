package io.github.alpa4j.cuda;

import org.junit.jupiter.api.Assumptions;

/** Skips a GPU test, with the probe's reason, where there is no GPU or a library is missing. */
final class GpuTests {
    private GpuTests() {
    }

    static void assumeGpu(CudaLibrary... libs) {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : libs) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
    }

    /** Round-to-nearest-even fp32 to bf16 (the kernels module has the production copy). */
    static short bf16(float f) {
        int u = Float.floatToRawIntBits(f);
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** max |got − want| / max |want|. */
    static double relativeError(float[] got, double[] want) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            err = Math.max(err, Math.abs(got[i] - want[i]));
            scale = Math.max(scale, Math.abs(want[i]));
        }
        return scale == 0 ? err : err / scale;
    }
}
