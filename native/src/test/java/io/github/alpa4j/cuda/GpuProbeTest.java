package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real probe on this machine (which may or may not have a GPU), and the parsing it relies on.
 */
class GpuProbeTest {

    @Test
    void probing_never_throws_and_agrees_with_itself() {
        assertThatCode(Gpu::probe).doesNotThrowAnyException();
        GpuReport r = Gpu.probe();
        assertThat(r).isSameAs(Gpu.probe());
        assertThat(r.libraries()).extracting(LibraryStatus::library).containsExactly(CudaLibrary.values());
        assertThat(r.render()).contains("driver", "cudart", "cublas", "nvrtc", "nccl", "nvml", "verdict:");
        boolean libcuda = LibrarySearch.system().find("libcuda.so.1").present();
        if (!libcuda && !r.has(CudaLibrary.CUDART)) {
            // a machine without the driver: the report says so and says what to install
            assertThat(r.driver().present()).isFalse();
            assertThat(r.available()).isFalse();
            assertThat(r.devices()).isEmpty();
            assertThat(r.unavailableReason()).startsWith("no GPU: libcuda.so.1 not found");
            assertThat(r.library(CudaLibrary.CUDART).detail()).contains("libcuda.so.1");
            assertThat(r.render()).contains("install the NVIDIA driver");
            for (CudaLibrary lib : CudaLibrary.values()) {
                assertThat(r.has(lib)).as(lib.label()).isFalse();
            }
            assertThatThrownBy(() -> Gpu.require(CudaLibrary.CUDART))
                    .isInstanceOf(CudaUnavailableException.class)
                    .hasMessageStartingWith("no GPU: ")
                    .hasMessageNotContaining("\n");
        } else {
            assertThat(r.driver().present()).isTrue();
            assertThat(r.available()).isEqualTo(r.has(CudaLibrary.CUDART) && !r.devices().isEmpty());
            if (r.available()) {
                assertThat(r.devices()).allSatisfy(d -> assertThat(d.arch()).matches("sm_[0-9]+"));
                assertThat(r.unavailableReason()).isEmpty();
            }
        }
    }

    @Test
    void finds_the_missing_library_in_a_loader_message() {
        String msg = "UnsatisfiedLinkError: no jnicudart in java.library.path: /usr/lib <- UnsatisfiedLinkError: "
                + "/root/.javacpp/cache/cuda-13.1-9.19-1.5.13-linux-x86_64.jar/org/bytedeco/cuda/linux-x86_64/libjnicudart.so: "
                + "libcuda.so.1: cannot open shared object file: No such file or directory";
        assertThat(GpuProbe.missingSoname(msg)).contains("libcuda.so.1");
        assertThat(GpuProbe.missingSoname("libcublasLt.so.13: cannot open shared object file")).contains("libcublasLt.so.13");
        assertThat(GpuProbe.missingSoname("Could not initialize class org.bytedeco.cuda.global.cudart")).isEmpty();
    }

    @Test
    void messages_walk_the_cause_chain() {
        Throwable e = new NoClassDefFoundError("Could not initialize class cudart");
        e.initCause(new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file"));
        assertThat(GpuProbe.messages(e)).isEqualTo("NoClassDefFoundError: Could not initialize class cudart <- "
                + "UnsatisfiedLinkError: libcuda.so.1: cannot open shared object file");
    }

    @Test
    void reads_the_driver_version_from_proc() {
        assertThat(GpuProbe.moduleVersion("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:58 UTC 2025\n"
                + "GCC version:  gcc version 12.3.0")).contains("580.65.06");
        assertThat(GpuProbe.moduleVersion("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.57.08  Release Build"))
                .contains("575.57.08");
        assertThat(GpuProbe.moduleVersion("nothing here")).isEmpty();
    }

    @Test
    void decodes_cuda_versions() {
        assertThat(GpuProbe.cudaVersion(13000)).isEqualTo("13.0");
        assertThat(GpuProbe.cudaVersion(13010)).isEqualTo("13.1");
        assertThat(GpuProbe.cudaVersion(12080)).isEqualTo("12.8");
    }

    @Test
    void a_probe_over_empty_folders_reports_every_file_missing_with_its_fix(@TempDir Path empty) {
        GpuReport r = GpuProbe.run(new LibrarySearch(List.of(empty), List.of()), empty.resolve("version"));
        if (r.has(CudaLibrary.CUDART)) {
            return; // this machine has a driver the loader finds elsewhere; the case is the other test's
        }
        assertThat(r.driver().present()).isFalse();
        assertThat(r.driver().fixes()).singleElement().asString().contains("install the NVIDIA driver");
        assertThat(r.library(CudaLibrary.CUBLAS).detail())
                .startsWith("needs cudart, which did not load")
                .contains("libcublas.so.13 not found (cuBLAS for CUDA 13)", "libcublasLt.so.13 not found");
        assertThat(r.library(CudaLibrary.CUBLAS).fixes()).allMatch(f -> f.contains("libcublas-13-0"));
        assertThat(r.library(CudaLibrary.NCCL).fixes()).singleElement().asString().contains("libnccl2");
    }
}
