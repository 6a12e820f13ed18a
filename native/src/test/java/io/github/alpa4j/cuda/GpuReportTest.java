package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuReportTest {
    static final String DRIVER_FIX = "install the NVIDIA driver";

    static List<LibraryStatus> libs(boolean cudart, boolean cublas, boolean nvrtc, boolean nccl, boolean nvml) {
        return List.of(
                status(CudaLibrary.CUDART, cudart, "runtime 13.1", DRIVER_FIX),
                status(CudaLibrary.CUBLAS, cublas, "cuBLAS 13.1.0", "sudo apt install libcublas-13-0"),
                status(CudaLibrary.NVRTC, nvrtc, "NVRTC 13.1", "sudo apt install cuda-nvrtc-13-0"),
                status(CudaLibrary.NCCL, nccl, "NCCL 2.29.3", "sudo apt install libnccl2"),
                status(CudaLibrary.NVML, nvml, "loaded", DRIVER_FIX));
    }

    static LibraryStatus status(CudaLibrary lib, boolean loaded, String version, String fix) {
        return loaded ? new LibraryStatus(lib, true, version, List.of())
                : new LibraryStatus(lib, false, lib.files().get(0).soname() + " not found", List.of(fix));
    }

    @Test
    void no_driver_renders_each_missing_piece_and_each_fix_once() {
        GpuReport r = new GpuReport(
                new DriverStatus(false, Optional.empty(), Optional.empty(), "libcuda.so.1 not found (the NVIDIA driver)", List.of(DRIVER_FIX)),
                libs(false, false, false, false, false), List.of(), Optional.empty());
        assertThat(r.available()).isFalse();
        String text = r.render();
        assertThat(text).contains("driver   missing: libcuda.so.1 not found", "GPUs     none: the CUDA runtime did not load",
                "cublas   not loaded: libcublas.so.13 not found", "to fix:", "1. " + DRIVER_FIX,
                "verdict: no GPU: libcuda.so.1 not found (the NVIDIA driver); GPU tests skip themselves");
        assertThat(text.split(DRIVER_FIX, -1)).as("the driver fix is listed once").hasSize(2);
        assertThat(r.summary()).isEqualTo(r.unavailableReason()).doesNotContain("\n").endsWith("run ./alpa4j doctor for what to install");
    }

    @Test
    void a_working_machine_lists_its_devices_and_is_ready() {
        GpuDevice h100 = new GpuDevice(0, "NVIDIA H100 80GB HBM3", 9, 0, 85_045_870_592L, 132);
        GpuReport r = new GpuReport(new DriverStatus(true, Optional.of("580.65.06"), Optional.of("13.0"), "libcuda.so.1 at /usr/lib",
                List.of()), libs(true, true, true, true, true), List.of(h100), Optional.empty());
        assertThat(r.available()).isTrue();
        assertThat(h100.arch()).isEqualTo("sm_90");
        assertThat(r.summary()).isEqualTo("1 GPU: NVIDIA H100 80GB HBM3 (sm_90)");
        assertThat(r.render()).contains("driver   580.65.06 (supports CUDA 13.0), libcuda.so.1 at /usr/lib",
                "0: NVIDIA H100 80GB HBM3 (compute 9.0, 79.2 GiB, 132 SMs)", "nccl     NCCL 2.29.3",
                "verdict: ready: 1 GPU: NVIDIA H100 80GB HBM3 (sm_90), every CUDA library loaded").doesNotContain("to fix:");
    }

    @Test
    void a_gpu_without_nccl_is_usable_and_says_what_is_missing() {
        GpuDevice a = new GpuDevice(0, "NVIDIA A100", 8, 0, 40L << 30, 108);
        GpuReport r = new GpuReport(new DriverStatus(true, Optional.empty(), Optional.of("13.0"), "libcuda.so.1 loaded", List.of()),
                libs(true, true, true, false, true), List.of(a), Optional.empty());
        assertThat(r.available()).isTrue();
        assertThat(r.has(CudaLibrary.NCCL)).isFalse();
        assertThat(r.render()).contains("driver   version unknown (supports CUDA 13.0)", "to fix:\n  1. sudo apt install libnccl2",
                "but not loaded: nccl");
    }

    @Test
    void a_runtime_without_devices_says_why() {
        GpuReport r = new GpuReport(new DriverStatus(true, Optional.of("535.1"), Optional.of("12.2"), "libcuda.so.1 loaded", List.of()),
                libs(true, true, true, true, true), List.of(),
                Optional.of(new GpuReport.Problem("cudaGetDeviceCount failed with cudaErrorInsufficientDriver", "update the NVIDIA driver")));
        assertThat(r.available()).isFalse();
        assertThat(r.unavailableReason()).startsWith("no GPU: cudaGetDeviceCount failed with cudaErrorInsufficientDriver");
        assertThat(r.render()).contains("GPUs     none: cudaGetDeviceCount failed", "1. update the NVIDIA driver");
    }
}
