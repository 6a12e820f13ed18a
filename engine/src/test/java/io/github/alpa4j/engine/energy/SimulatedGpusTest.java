package io.github.alpa4j.engine.energy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The CPU's stand-in GPUs: a fake time line whose speed follows the clock set, and energy scripted from the power model. */
class SimulatedGpusTest {
    private final GpuSpec a100 = GpuSpec.preset("a100").orElseThrow();

    @Test
    void timeStretchesAsTheClockFallsAndEnergyIsTheModelsPowerOverIt() {
        AtomicLong real = new AtomicLong(1_000);
        SimulatedGpus gpus = new SimulatedGpus(a100, 2, real::get);
        EnergyMonitor monitor = EnergyMonitor.manual(gpus, gpus::nanos);
        long t0 = monitor.mark();
        real.addAndGet(1_000_000_000L);          // one real second at the highest clock, which the power cap slows a little
        long t1 = monitor.mark();
        var highest = DvfsEnergyModel.estimate(a100, new InstructionTime(1, 0), 1410);
        double capped = 1410 / highest.effectiveClockMhz();
        assertThat(capped).isBetween(1.0, 1.1);
        assertThat(t1 - t0).isEqualTo(Math.round(1e9 * capped));
        double top = highest.powerWatts();
        assertThat(monitor.joules(0, t0, t1)).isCloseTo(top * capped, org.assertj.core.data.Offset.offset(0.002));

        gpus.clocks(1).setLockedGraphicsClock(705); // half the clock: compute-bound work takes twice as long
        assertThat(gpus.clocks(0).currentGraphicsClockMhz()).isEqualTo(705);
        long realAtChange = real.get();
        real.addAndGet(1_000_000_000L);
        long t2 = monitor.mark();
        var half = DvfsEnergyModel.estimate(a100, new InstructionTime(1, 0), 705);
        double stretch = 1410 / half.effectiveClockMhz();
        assertThat(stretch).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t2 - t1).isEqualTo(Math.round(1e9 * stretch));
        assertThat(monitor.joules(1, t1, t2)).isCloseTo(half.powerWatts() * stretch, org.assertj.core.data.Offset.offset(0.002));
        assertThat(half.powerWatts()).isLessThan(top);
        // a real moment before the change maps onto the first segment, one after it onto the stretched one
        assertThat(gpus.fake(realAtChange - 500)).isEqualTo(t0 + Math.round((1e9 - 500) * capped));
        assertThat(gpus.fake(realAtChange + 500)).isEqualTo(t1 + 1000);

        gpus.clocks(0).resetGraphicsClocks();
        assertThat(gpus.clockMhz()).isEqualTo(1410);
        assertThat(gpus.clocks(0).supportedGraphicsClocksMhz()).contains(1410, 705, 210).doesNotContain(1411);
    }
}
