package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("gpu")
class NvrtcGpuTest {
    static final KernelSource AXPY = new KernelSource("axpy",
            "#include \"scale.cuh\"\n"
                    + "extern \"C\" __global__ void axpy(float a, const float* x, float* y, long long n) {\n"
                    + "  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)\n"
                    + "    y[i] = scaled(a, x[i]) + y[i];\n"
                    + "}\n",
            Map.of("scale.cuh", "#pragma once\n__device__ __forceinline__ float scaled(float a, float x) { return a * x; }\n"));
    static final List<String> OPTIONS = List.of("--std=c++17", "--fmad=false");

    static CudaDevice device;
    static CudaStream stream;
    static DevicePool pool;

    @BeforeAll
    static void open() {
        GpuTests.assumeGpu(CudaLibrary.CUDART, CudaLibrary.NVRTC);
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
    void compiles_once_caches_loads_and_runs(@TempDir Path dir) {
        KernelCache cache = new KernelCache(dir);
        List<String> compiled = new ArrayList<>();
        KernelCache.Compiler nvrtc = (s, arch, opts) -> {
            compiled.add(s.name());
            return Nvrtc.compile(s, arch, opts);
        };
        String toolchain = Nvrtc.toolchain();
        byte[] image = cache.load(AXPY, device.arch(), OPTIONS, toolchain, nvrtc);
        assertThat(cache.load(AXPY, device.arch(), OPTIONS, toolchain, nvrtc)).isEqualTo(image);
        assertThat(compiled).containsExactly("axpy");
        int n = 100_003;
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = 1;
        }
        try (CudaModule module = CudaModule.load(device, image); DeviceBuffer dx = pool.allocate(4L * n);
             DeviceBuffer dy = pool.allocate(4L * n)) {
            stream.copyToDevice(x, dx);
            stream.copyToDevice(y, dy);
            CudaFunction f = module.function("axpy");
            assertThat(f.maxThreadsPerBlock()).isGreaterThanOrEqualTo(256);
            f.launch(Dim3.of(64), Dim3.of(256), 0, stream, KernelArgs.create().f32(2f).ptr(dx).ptr(dy).i64(n));
            stream.copyToHost(dy, y);
        }
        for (int i = 0; i < n; i++) {
            assertThat(y[i]).as("y[%d]", i).isEqualTo(2f * i + 1);
        }
    }

    @Test
    void a_source_error_carries_nvrtcs_log() {
        KernelSource bad = new KernelSource("bad", "extern \"C\" __global__ void k(float* y) { y[0] = undefined_name; }", Map.of());
        assertThatThrownBy(() -> Nvrtc.compile(bad, device.arch(), OPTIONS))
                .isInstanceOf(KernelCompileException.class)
                .hasMessageContaining("bad")
                .hasMessageContaining("undefined_name");
    }

    @Test
    void a_failed_launch_names_the_kernel_and_the_op() {
        byte[] image = Nvrtc.compile(AXPY, device.arch(), OPTIONS);
        try (CudaModule module = CudaModule.load(device, image); DeviceBuffer d = pool.allocate(4);
             OpScope s = OpScope.enter("axpy#1")) {
            CudaFunction f = module.function("axpy");
            assertThatThrownBy(() -> f.launch(Dim3.of(1), Dim3.of(4096), 0, stream, KernelArgs.create().f32(1f).ptr(d).ptr(d).i64(1)))
                    .isInstanceOf(CudaException.class)
                    .hasMessageStartingWith("cuLaunchKernel(axpy) failed with CUDA_ERROR_INVALID_VALUE")
                    .hasMessageEndingWith("while serving op axpy#1");
        }
    }
}
