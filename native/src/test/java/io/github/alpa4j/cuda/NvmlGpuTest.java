package io.github.alpa4j.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class NvmlGpuTest {

    @Test
    void reads_names_energy_power_and_clocks() {
        GpuTests.assumeGpu(CudaLibrary.CUDART, CudaLibrary.NVML);
        try (Nvml nvml = Nvml.open()) {
            assertThat(nvml.driverVersion()).matches("[0-9]+\\.[0-9.]+");
            assertThat(nvml.deviceCount()).isGreaterThanOrEqualTo(1);
            NvmlDevice d = nvml.device(0);
            assertThat(d.name()).isNotBlank();
            assertThat(d.uuid()).startsWith("GPU-");
            long e0 = d.totalEnergyMillijoules();
            assertThat(d.powerMilliwatts()).isPositive();
            assertThat(d.smClockMhz()).isPositive();
            assertThat(d.memoryClockMhz()).isPositive();
            assertThat(d.totalEnergyMillijoules()).as("the energy counter never goes back").isGreaterThanOrEqualTo(e0);
            int[] mem;
            try {
                mem = d.supportedMemoryClocksMhz();
            } catch (CudaException e) {
                Assumptions.abort("this GPU does not list its clocks: " + e.getMessage());
                return;
            }
            assertThat(mem).isNotEmpty();
            assertThat(java.util.Arrays.stream(mem).min().orElseThrow()).isPositive();
            int[] gfx = d.supportedGraphicsClocksMhz(mem[0]);
            assertThat(gfx).isNotEmpty();
            assertThat(java.util.Arrays.stream(gfx).min().orElseThrow()).isPositive();
        }
    }
}
