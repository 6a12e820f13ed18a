package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.cuda.global.nvml;
import org.junit.jupiter.api.Test;

/**
 * A failed {@code nvmlInit} (the library is there, the session is not) becomes one line saying what is
 * wrong and what to do: the refusal of {@code train --energy} and {@code energy clocks}, and the doctor's
 * NVML line. Runs without a GPU: the status codes are constants.
 */
class NvmlInitTest {

    @Test
    void no_permission_says_which_files_to_open_up() {
        GpuReport.Problem p = Nvml.initProblem(nvml.NVML_ERROR_NO_PERMISSION);
        assertThat(p.what()).isEqualTo("nvmlInit failed: no permission to open the GPU");
        assertThat(p.fix()).contains("/dev/nvidia*");
    }

    @Test
    void a_missing_kernel_driver_says_to_load_it() {
        GpuReport.Problem p = Nvml.initProblem(nvml.NVML_ERROR_DRIVER_NOT_LOADED);
        assertThat(p.what()).contains("kernel driver is not loaded");
        assertThat(p.fix()).contains("modprobe nvidia");
    }

    @Test
    void every_status_reads_as_one_line_with_a_fix() {
        for (int status : new int[] {nvml.NVML_ERROR_UNINITIALIZED, nvml.NVML_ERROR_NO_PERMISSION, nvml.NVML_ERROR_DRIVER_NOT_LOADED,
                nvml.NVML_ERROR_LIBRARY_NOT_FOUND, nvml.NVML_ERROR_FUNCTION_NOT_FOUND, nvml.NVML_ERROR_LIB_RM_VERSION_MISMATCH,
                nvml.NVML_ERROR_UNKNOWN}) {
            GpuReport.Problem p = Nvml.initProblem(status);
            assertThat(p.what() + "; " + p.fix()).as("status %d", status).startsWith("nvmlInit failed").doesNotContain("\n");
            assertThat(p.fix()).as("status %d", status).isNotBlank();
        }
        assertThat(Nvml.initProblem(nvml.NVML_ERROR_UNKNOWN).what()).contains("999");
    }
}
