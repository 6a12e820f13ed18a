package io.github.alpa4j.energy.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * On a real GPU: the energy counter over a few seconds agrees with the power samples integrated
 * over the same window. Power is a one-second average on Ampere and newer, and the GPU sits idle
 * here, so both describe a nearly steady draw; they must agree within 25 %.
 */
@Tag("gpu")
class NvmlEnergyMonitorGpuTest {
    @Test
    void counterJoulesAgreeWithIntegratedPower() throws InterruptedException {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        Assumptions.assumeTrue(r.has(CudaLibrary.NVML), () -> "needs NVML: " + r.library(CudaLibrary.NVML).detail());
        try (NvmlEnergySource src = NvmlEnergySource.open(0); EnergyMonitor m = EnergyMonitor.start(src, Duration.ofMillis(20))) {
            long begin = m.mark();
            Thread.sleep(4000);
            long end = m.mark();
            double counter = m.joules(0, begin, end);
            double power = m.joulesFromPower(0, begin, end);
            System.out.printf("GPUCHECK|energy-monitor|counter_J|%.3g%nGPUCHECK|energy-monitor|power_J|%.3g%n", counter, power);
            assertThat(counter).isPositive();
            assertThat(Math.abs(counter - power) / counter).as("counter %.1f J vs power %.1f J", counter, power).isLessThan(0.25);
        }
    }
}
