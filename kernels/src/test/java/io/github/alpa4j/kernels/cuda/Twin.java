package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.kernels.Bf16;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Host arrays and their device copies for one CPU-vs-GPU comparison. Outputs start as NaN on
 * both sides (bf16 outputs as a bf16 NaN), so an element a kernel forgets to write shows up.
 */
final class Twin implements AutoCloseable {
    static final short BF16_NAN = (short) 0x7fc0;

    record F(float[] host, DeviceBuffer dev) {
    }

    record I(int[] host, DeviceBuffer dev) {
    }

    record H(short[] host, DeviceBuffer dev) {
    }

    final CudaKernels gpu;
    final Random rnd;
    final String label;
    private final DeviceTransfer stream;
    private final DevicePool pool;
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    Twin(CudaKernels gpu, DeviceTransfer stream, DevicePool pool, long seed, String label) {
        this.gpu = gpu;
        this.stream = stream;
        this.pool = pool;
        this.rnd = new Random(seed);
        this.label = label + " (seed " + seed + ")";
    }

    private DeviceBuffer allocate(long bytes) {
        DeviceBuffer b = pool.allocate(Math.max(1, bytes));
        buffers.add(b);
        return b;
    }

    F input(float[] v) {
        DeviceBuffer d = allocate(4L * v.length);
        stream.upload(v, d);
        return new F(v, d);
    }

    F gaussian(int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * sd);
        }
        return input(v);
    }

    F uniform(int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return input(v);
    }

    I ints(int[] v) {
        DeviceBuffer d = allocate(4L * v.length);
        stream.upload(v, d);
        return new I(v, d);
    }

    H bf16(short[] v) {
        DeviceBuffer d = allocate(2L * v.length);
        stream.upload(v, d);
        return new H(v, d);
    }

    F output(int n) {
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        DeviceBuffer d = allocate(4L * n);
        stream.upload(nan, d);
        return new F(nan.clone(), d);
    }

    H outputBf16(int n) {
        short[] nan = new short[n];
        Arrays.fill(nan, BF16_NAN);
        DeviceBuffer d = allocate(2L * n);
        stream.upload(nan, d);
        return new H(nan.clone(), d);
    }

    float[] download(F f) {
        float[] got = new float[f.host().length];
        stream.download(f.dev(), got);
        return got;
    }

    /** Every element written, and max |gpu − cpu| / max |cpu| below {@code tol}. */
    void expectClose(F out, double tol) {
        float[] got = download(out);
        float[] want = out.host();
        for (int i = 0; i < want.length; i++) {
            assertThat(Float.isNaN(want[i])).as("%s: the CPU twin left element %d unwritten", label, i).isFalse();
            assertThat(Float.isNaN(got[i])).as("%s: the GPU left element %d of %d unwritten (or made NaN)", label, i, want.length)
                    .isFalse();
        }
        assertThat(relativeError(got, want)).as("%s: relative error", label).isLessThan(tol);
    }

    /** As {@link #expectClose(F, double)} for bf16 results, compared as floats. */
    void expectClose(H out, double tol) {
        short[] got = new short[out.host().length];
        stream.download(out.dev(), got);
        float[] g = new float[got.length];
        float[] w = new float[got.length];
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as("%s: the GPU left bf16 element %d unwritten", label, i).isNotEqualTo(BF16_NAN);
            g[i] = Bf16.toFloat(got[i]);
            w[i] = Bf16.toFloat(out.host()[i]);
        }
        assertThat(relativeError(g, w)).as("%s: relative error", label).isLessThan(tol);
    }

    static double relativeError(float[] got, float[] want) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < want.length; i++) {
            err = Math.max(err, Math.abs((double) got[i] - want[i]));
            scale = Math.max(scale, Math.abs((double) want[i]));
        }
        return scale == 0 ? err : err / scale;
    }

    @Override
    public void close() {
        buffers.forEach(DeviceBuffer::close);
    }
}
