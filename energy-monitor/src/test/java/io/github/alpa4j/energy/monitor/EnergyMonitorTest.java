package io.github.alpa4j.energy.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnergyMonitorTest {
    @Test
    void betweenSamplesTheCounterIsInterpolatedLinearly() {
        ScriptedSource gpu = new ScriptedSource(200);
        EnergyMonitor m = EnergyMonitor.manual(gpu, gpu.clock::get); // sample at 0 s: 0 mJ
        gpu.run(1.0);
        m.sampleNow(); // 1 s: 200,000 mJ
        gpu.setWatts(0, 100);
        gpu.run(2.0);
        m.sampleNow(); // 3 s: 400,000 mJ
        assertThat(m.counterAt(0, 250_000_000L)).isEqualTo(50_000.0);
        assertThat(m.counterAt(0, 1_000_000_000L)).isEqualTo(200_000.0);
        assertThat(m.counterAt(0, 2_000_000_000L)).isEqualTo(300_000.0);
        assertThat(m.joules(0, 500_000_000L, 2_500_000_000L)).isCloseTo(350 - 100, within(1e-9));
    }

    @Test
    void energiesOfIntervalsThatTileAWindowSumToTheWindowsEnergy() {
        ScriptedSource gpus = new ScriptedSource(300, 80);
        EnergyMonitor m = EnergyMonitor.manual(gpus, gpus.clock::get);
        double[] powers = {300, 120, 450, 90, 310};
        for (double w : powers) {
            gpus.setWatts(0, w);
            gpus.run(0.137);
            m.sampleNow();
        }
        long end = gpus.clock.get();
        // F/B instructions of a stage whose boundaries fall between samples
        long[] cuts = {0, 31_000_000L, 200_000_000L, 201_000_000L, 444_000_000L, 600_000_000L, end};
        double sum = 0;
        for (int i = 0; i + 1 < cuts.length; i++) {
            double j = m.joules(new EnergyInterval((i % 2 == 0 ? "F" : "B") + "(0," + i / 2 + ")", 0, cuts[i], cuts[i + 1]));
            assertThat(j).isNotNegative();
            sum += j;
        }
        double total = m.joules(0, 0, end);
        assertThat(sum).isCloseTo(total, within(1e-9));
        assertThat(total).isCloseTo(0.137 * (300 + 120 + 450 + 90 + 310), within(1e-3));
        assertThat(m.totalJoules(0, end)).isCloseTo(total + 80 * 0.137 * 5, within(1e-3));
    }

    @Test
    void intervalsOnMarksGetTheExactEnergyOfWhatRanInThem() {
        ScriptedSource gpu = new ScriptedSource(100);
        EnergyMonitor m = EnergyMonitor.manual(gpu, gpu.clock::get);
        long f0 = m.mark();
        gpu.run(1.0);
        long f1 = m.mark();
        gpu.setWatts(0, 300);
        gpu.run(0.5);
        long b1 = m.mark();
        assertThat(m.joules(new EnergyInterval("F(0,0)", 0, f0, f1))).isEqualTo(100.0);
        assertThat(m.joules(new EnergyInterval("B(0,0)", 0, f1, b1))).isEqualTo(150.0);
    }

    @Test
    void iterationsReportJoulesPowerAndTokensPerJouleWithoutTheWarmUp() {
        ScriptedSource gpu = new ScriptedSource(400);
        EnergyMonitor m = EnergyMonitor.manual(gpu, gpu.clock::get);
        IterationEnergy it = new IterationEnergy(m);
        it.begin();
        gpu.run(3.0); // warm-up: 1200 J
        assertThat(it.lap(1000)).isEqualTo(1200.0);
        gpu.setWatts(0, 250);
        gpu.run(2.0); // 500 J
        it.lap(1000);
        gpu.run(2.0); // 500 J
        it.lap(1500);
        EnergySummary s = it.summary();
        assertThat(s.iterationJoules()).containsExactly(1200.0, 500.0, 500.0);
        assertThat(s.joulesPerIteration()).isEqualTo(500.0);
        assertThat(s.averagePowerWatts()).isEqualTo(250.0);
        assertThat(s.tokensPerJoule()).isEqualTo(2500 / 1000.0);
    }

    @Test
    void laterEndsThanTheLastSampleTakeAFreshOne() {
        ScriptedSource gpu = new ScriptedSource(50);
        EnergyMonitor m = EnergyMonitor.manual(gpu, gpu.clock::get);
        gpu.run(2.0);
        long t = gpu.clock.get();
        assertThat(m.joules(0, 0, t)).isEqualTo(100.0);
        assertThat(m.samples()).hasSize(2);
        assertThatThrownBy(() -> m.counterAt(0, -1)).hasMessageContaining("before monitoring began");
        assertThatThrownBy(() -> m.counterAt(0, t + 1)).hasMessageContaining("future");
    }

    @Test
    void powerSamplesIntegrateToTheCounterWherePowerIsSteady() {
        ScriptedSource gpu = new ScriptedSource(220);
        EnergyMonitor m = EnergyMonitor.manual(gpu, gpu.clock::get);
        for (int i = 0; i < 10; i++) {
            gpu.run(0.1);
            m.sampleNow();
        }
        long end = gpu.clock.get();
        assertThat(m.joulesFromPower(0, 0, end)).isCloseTo(m.joules(0, 0, end), within(1e-6));
        assertThat(m.joulesFromPower(0, 50_000_000L, 450_000_000L)).isCloseTo(220 * 0.4, within(1e-6));
    }

    @Test
    void theBackgroundThreadKeepsSampling() throws InterruptedException {
        ScriptedSource gpu = new ScriptedSource(10);
        try (EnergyMonitor m = EnergyMonitor.start(gpu, Duration.ofMillis(2))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (m.samples().size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            List<EnergySample> s = m.samples();
            assertThat(s.size()).isGreaterThanOrEqualTo(5);
            for (int i = 1; i < s.size(); i++) {
                assertThat(s.get(i).nanos()).isGreaterThanOrEqualTo(s.get(i - 1).nanos());
            }
        }
    }

    @Test
    void aSamplerThatFailsIsReportedNotSwallowed() throws InterruptedException {
        ScriptedSource gpu = new ScriptedSource(10);
        try (EnergyMonitor m = EnergyMonitor.start(gpu, Duration.ofMillis(1))) {
            gpu.failWith = new IllegalStateException("GPU fell off the bus");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    m.counterAt(0, m.samples().getFirst().nanos());
                    Thread.sleep(2);
                } catch (IllegalStateException e) {
                    assertThat(e).hasMessageContaining("GPU fell off the bus");
                    return;
                }
            }
            throw new AssertionError("the sampler's failure never surfaced");
        }
    }
}
