package io.github.alpa4j.energy.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.cuda.Nvml;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real GPU's clocks, read only: the controller runs in dry-run, so no clock changes here. */
@Tag("gpu")
class NvmlClocksGpuTest {
    @Test
    void aDryRunOverTheRealGpuReadsItsClocksAndChangesNothing() {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        Assumptions.assumeTrue(r.has(CudaLibrary.NVML), () -> "needs NVML: " + r.library(CudaLibrary.NVML).detail());
        try (Nvml nvml = Nvml.open()) {
            NvmlClocks gpu = new NvmlClocks(nvml.device(0));
            int[] supported;
            try {
                supported = gpu.supportedGraphicsClocksMhz();
            } catch (CudaException e) {
                Assumptions.abort("this GPU does not list its clocks: " + e.getMessage());
                return;
            }
            assertThat(supported).isNotEmpty();
            assertThat(gpu.currentGraphicsClockMhz()).isPositive();
            int top = Arrays.stream(supported).max().orElseThrow();
            int low = Arrays.stream(supported).min().orElseThrow();
            List<String> log = new ArrayList<>();
            try (FrequencyController c = FrequencyController.dryRun(gpu,
                    new FrequencyPlan(List.of(new FrequencyPlan.Step("F", top), new FrequencyPlan.Step("B", low))), log::add)) {
                c.onInstruction("F");
                c.onInstruction("B");
                c.awaitApplied();
                assertThat(c.failure()).isNull();
            }
            assertThat(log).containsExactly("would set GPU 0 to " + top + " MHz", "would set GPU 0 to " + low + " MHz",
                    "would reset GPU 0's clocks");
        }
    }
}
