package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.engine.runtime.CudaBackend;
import io.github.alpa4j.engine.runtime.GpuContext;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every same-GPU collective among logical devices on GPU 0, checked against its definition. */
@Tag("gpu")
class CudaCollectivesGpuTest {
    static final long SEED = new Random().nextLong();

    @BeforeAll
    static void gpu() {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : List.of(CudaLibrary.CUBLAS, CudaLibrary.NVRTC)) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
    }

    /** Logical devices on GPU 0; an input is written late (behind a chain of kernels that leave it unchanged). */
    static final class GpuDevices implements CollectiveDevices {
        final GpuContext gpu = GpuContext.open(0);
        final List<CudaBackend> devices = new ArrayList<>();

        GpuDevices(int n) {
            for (int d = 0; d < n; d++) {
                devices.add(CudaBackend.open(gpu, "cuda0/" + d, MatmulPrecision.FP32));
            }
        }

        @Override
        public int count() {
            return devices.size();
        }

        @Override
        public CudaCollectives.Member member(int d) {
            CudaBackend b = devices.get(d);
            return new CudaCollectives.Member(DeviceStream.of(b.stream()), b.pool(), b.kernels());
        }

        @Override
        public void write(int d, float[] values, DeviceBuffer buf) {
            CudaBackend b = devices.get(d);
            try (DeviceBuffer staging = b.pool().allocate(4L * values.length)) {
                b.stream().copyToDevice(values, staging);
                for (int i = 0; i < 20; i++) {
                    b.kernels().scale(staging, 1f, staging, values.length);
                }
                b.stream().copyAsync(staging, 0, buf, 0, 4L * values.length);
            }
        }

        @Override
        public float[] read(int d, DeviceBuffer buf, int n) {
            float[] out = new float[n];
            devices.get(d).stream().copyToHost(buf, 0, out, 0, n);
            return out;
        }

        @Override
        public void close() {
            devices.forEach(CudaBackend::close);
            gpu.close();
        }
    }

    @ParameterizedTest(name = "{0}x{1} mesh")
    @CsvSource({"2,2", "1,4", "2,1"})
    void every_collective_matches_its_definition(int rows, int cols) throws Exception {
        MeshGroups mesh = new MeshGroups(rows, cols);
        try (GpuDevices devices = new GpuDevices(mesh.devices());
             CudaCollectives c = CudaCollectivesTest.collectives(devices)) {
            new CollectiveScenario(devices, c, mesh, SEED).run(60);
        }
    }
}
