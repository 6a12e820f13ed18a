package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class CudaRuntimeGpuTest {
    static CudaDevice device;
    static CudaStream stream;
    static DevicePool pool;

    @BeforeAll
    static void open() {
        GpuTests.assumeGpu(CudaLibrary.CUDART);
        device = CudaDevice.open(0);
        stream = CudaStream.create(device);
        pool = DevicePool.create(device);
    }

    @AfterAll
    static void close() {
        if (pool != null) {
            pool.close();
            stream.close();
        }
    }

    @Test
    void the_device_matches_the_probe() {
        assertThat(device.info()).isEqualTo(Gpu.probe().devices().get(0));
        assertThat(device.arch()).matches("sm_[0-9]+");
        CudaDevice.MemoryInfo m = device.memoryInfo();
        assertThat(m.totalBytes()).isEqualTo(device.info().totalMemoryBytes());
        assertThat(m.freeBytes()).isPositive().isLessThanOrEqualTo(m.totalBytes());
        assertThat(CudaDevice.driverVersion()).isGreaterThanOrEqualTo(13000);
    }

    @Test
    void arrays_round_trip_through_the_device() {
        Random r = new Random();
        float[] f = new float[10_001];
        int[] ids = new int[777];
        short[] h = new short[513];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt();
        }
        for (int i = 0; i < h.length; i++) {
            h[i] = (short) r.nextInt();
        }
        try (DeviceBuffer df = pool.allocate(4L * f.length); DeviceBuffer di = pool.allocate(4L * ids.length);
             DeviceBuffer dh = pool.allocate(2L * h.length)) {
            stream.copyToDevice(f, df);
            stream.copyToDevice(ids, di);
            stream.copyToDevice(h, dh);
            float[] f2 = new float[f.length];
            int[] i2 = new int[ids.length];
            short[] h2 = new short[h.length];
            stream.copyToHost(df, f2);
            stream.copyToHost(di, i2);
            stream.copyToHost(dh, h2);
            assertThat(f2).isEqualTo(f);
            assertThat(i2).isEqualTo(ids);
            assertThat(h2).isEqualTo(h);
            float[] part = new float[10];
            stream.copyToHost(df, 5000, part, 2, 6);
            assertThat(part).startsWith(0f, 0f, f[5000], f[5001]).endsWith(f[5005], 0f, 0f);
        }
    }

    @Test
    void pinned_copies_device_copies_and_memset_follow_stream_order() {
        int n = 4096;
        try (PinnedBuffer host = PinnedBuffer.allocate(4L * n); DeviceBuffer a = pool.allocate(4L * n);
             DeviceBuffer b = pool.allocate(4L * n); CudaEvent done = CudaEvent.create(device, false)) {
            FloatBuffer fb = host.buffer().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                fb.put(i, i * 0.5f);
            }
            stream.copyToDeviceAsync(host, 0, a, 0, 4L * n);
            stream.memsetAsync(b, 0, 0, 4L * n);
            stream.copyAsync(a, 4L * 10, b, 0, 4L * 100);
            stream.copyToHostAsync(b, 0, host, 0, 4L * n);
            done.record(stream);
            done.synchronize();
            assertThat(done.isComplete()).isTrue();
            FloatBuffer back = host.buffer().asFloatBuffer();
            for (int i = 0; i < n; i++) {
                assertThat(back.get(i)).as("element %d", i).isEqualTo(i < 100 ? (i + 10) * 0.5f : 0f);
            }
        }
    }

    @Test
    void a_repeated_step_calls_cudaMalloc_only_in_its_first_iteration() {
        long[] sizes = {4L << 20, 1000, 123_456, 4L << 20, 64};
        long before = pool.stats().deviceMallocs();
        for (int step = 0; step < 4; step++) {
            List<DeviceBuffer> live = new ArrayList<>();
            for (long s : sizes) {
                DeviceBuffer b = pool.allocate(s);
                stream.memsetAsync(b, 0, step, s);
                live.add(b);
            }
            live.forEach(DeviceBuffer::close);
            assertThat(pool.stats().deviceMallocs() - before).as("cudaMalloc calls after step %d", step).isEqualTo(sizes.length);
        }
        stream.synchronize();
    }

    @Test
    void timing_events_measure_a_non_negative_span() {
        try (CudaEvent start = CudaEvent.create(device, true); CudaEvent end = CudaEvent.create(device, true);
             DeviceBuffer b = pool.allocate(64L << 20)) {
            start.record(stream);
            stream.memsetAsync(b, 0, 1, b.bytes());
            end.record(stream);
            end.synchronize();
            assertThat(end.millisSince(start)).isGreaterThanOrEqualTo(0f);
        }
    }
}
