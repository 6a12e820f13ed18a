package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.kernels.KernelsContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GPU test's cases (but the cuBLAS products) with the CUDA sources run by the CPU emulation:
 * catches wrong indexing, masks, reductions, argument packing and launch shapes where there is
 * no GPU; and the {@link KernelsContract} on the same emulation. Needs a C++20 compiler; skipped
 * with a reason without one.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EmulatedKernelsTest {
    static final long SEED = new Random().nextLong();

    @TempDir
    static Path work;
    static EmulatedGpu emulator;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> gxx = EmulatedGpu.compiler();
        Assumptions.assumeTrue(gxx.isPresent(), "no g++ on PATH to build the CPU emulation of the CUDA kernels");
        emulator = EmulatedGpu.start(gxx.get(), work);
    }

    @AfterAll
    static void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
    }

    static Stream<Arguments> cases() {
        return KernelCases.cases(false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void the_cuda_source_matches_the_cpu_twin(String name, KernelCases.Case c) {
        try (Twin t = new Twin(emulator.kernels, emulator.transfer, emulator.pool, SEED ^ name.hashCode(), name)) {
            c.run(t);
        }
    }

    /** The {@link KernelsContract} on the CUDA sources, in the emulation. */
    @Nested
    class Contract extends KernelsContract<DeviceBuffer, DeviceBuffer> {
        private final List<DeviceBuffer> buffers = new ArrayList<>();

        @AfterEach
        void free() {
            buffers.forEach(DeviceBuffer::close);
        }

        private DeviceBuffer allocate(int elements) {
            DeviceBuffer b = emulator.pool.allocate(4L * Math.max(1, elements));
            buffers.add(b);
            return b;
        }

        @Override
        protected Kernels<DeviceBuffer, DeviceBuffer> kernels() {
            return emulator.kernels;
        }

        @Override
        protected DeviceBuffer floats(float... values) {
            DeviceBuffer b = allocate(values.length);
            emulator.transfer.upload(values, b);
            return b;
        }

        @Override
        protected DeviceBuffer ints(int... values) {
            DeviceBuffer b = allocate(values.length);
            emulator.transfer.upload(values, b);
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
            emulator.transfer.download(buffer, out);
            return out;
        }

        @Override
        protected boolean hasGemm() {
            return false;
        }
    }
}
