package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.Cublas;
import io.github.alpa4j.cuda.CudaDevice;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.GemmPrecision;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.cuda.KernelCache;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.kernels.KernelsContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel on the GPU (NVRTC-compiled for its architecture) against its CPU twin, on fresh
 * random inputs; the seed is in every failure message. The {@link KernelsContract} runs on the GPU too.
 */
@Tag("gpu")
class CudaKernelsEquivalenceTest {
    static final long SEED = new Random().nextLong();

    static CudaDevice device;
    static CudaStream stream;
    static DevicePool pool;
    static Cublas cublas;
    static CudaKernelModules modules;
    static CudaKernels gpu;

    @BeforeAll
    static void open() {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : new CudaLibrary[] {CudaLibrary.CUBLAS, CudaLibrary.NVRTC}) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
        device = CudaDevice.open(0);
        stream = CudaStream.create(device);
        pool = DevicePool.create(device);
        cublas = Cublas.create(stream, pool);
        // the standard cache ($ALPA4J_CACHE): the GPU check compiles every kernel once, for all its parts
        modules = CudaKernelModules.open(device, KernelCache.standard());
        modules.compileAll();
        gpu = new CudaKernels(stream, pool, cublas, modules, GemmPrecision.FP32);
    }

    @AfterAll
    static void close() {
        if (modules != null) {
            modules.close();
            cublas.close();
            pool.close();
            stream.close();
        }
    }

    static Stream<Arguments> cases() {
        return KernelCases.cases(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matches_the_cpu_twin(String name, KernelCases.Case c) {
        try (Twin t = new Twin(gpu, DeviceTransfer.of(stream), pool, SEED ^ name.hashCode(), name)) {
            c.run(t);
        }
    }

    /** The {@link KernelsContract} on the GPU. */
    @Nested
    class Contract extends KernelsContract<DeviceBuffer, DeviceBuffer> {
        private final List<DeviceBuffer> buffers = new ArrayList<>();

        @AfterEach
        void free() {
            stream.synchronize();
            buffers.forEach(DeviceBuffer::close);
        }

        @Override
        protected Kernels<DeviceBuffer, DeviceBuffer> kernels() {
            return gpu;
        }

        @Override
        protected DeviceBuffer floats(float... values) {
            DeviceBuffer b = pool.allocate(4L * Math.max(1, values.length));
            buffers.add(b);
            stream.copyToDevice(values, b);
            return b;
        }

        @Override
        protected DeviceBuffer ints(int... values) {
            DeviceBuffer b = pool.allocate(4L * Math.max(1, values.length));
            buffers.add(b);
            stream.copyToDevice(values, b);
            return b;
        }

        @Override
        protected DeviceBuffer output(int n) {
            float[] nan = new float[n];
            Arrays.fill(nan, Float.NaN);
            return floats(nan);
        }

        @Override
        protected float[] read(DeviceBuffer buffer, int n) {
            float[] out = new float[n];
            stream.copyToHost(buffer, out);
            return out;
        }
    }
}
