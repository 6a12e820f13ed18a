package io.github.alpa4j.energy.model;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DvfsEnergyModelTest {
    private static final GpuSpec A100 = GpuSpec.a100Sxm();

    static Stream<GpuSpec> presets() {
        return Stream.of(GpuSpec.a100Sxm(), GpuSpec.a40(), GpuSpec.v100Sxm(), GpuSpec.h100Sxm());
    }

    /** A GPU whose numbers are easy to recompute by hand, with a cap it never reaches unless a test lowers it. */
    private static GpuSpec toy(double capWatts) {
        return new GpuSpec(new GpuDatasheet("toy", 100e12, 1e12, 200, 1400, 10, 400, 50),
                new PowerCurve(300, 20, 1000, 0.8, capWatts), "test numbers");
    }

    private static final GpuSpec TOY = toy(10_000);

    @Test
    void computeBoundTimeScalesWithTheInverseClock() {
        DvfsEstimate top = DvfsEnergyModel.estimate(TOY, 1e13, 0, 1400);
        DvfsEstimate half = DvfsEnergyModel.estimate(TOY, 1e13, 0, 700);
        assertThat(top.timeSeconds()).isCloseTo(0.1, within(1e-15));
        assertThat(half.timeSeconds()).isCloseTo(0.2, within(1e-15));
        assertThat(top.powerWatts()).as("static + all SM power at full clock and voltage").isCloseTo(350, within(1e-9));
    }

    @Test
    void memoryBoundTimeDoesNotDependOnTheClock() {
        DvfsEstimate top = DvfsEnergyModel.estimate(TOY, 0, 4e10, 1400);
        DvfsEstimate low = DvfsEnergyModel.estimate(TOY, 0, 4e10, 1000);
        assertThat(top.timeSeconds()).isEqualTo(0.04).isEqualTo(low.timeSeconds());
        assertThat(low.energyJoules()).as("less SM power for the same time").isLessThan(top.energyJoules());
        assertThat(low.powerWatts()).isCloseTo(50 + 300 * (1000 / 1400.0) * 0.8 * 0.8 + 20, within(1e-9));
    }

    @Test
    void computeAndMemoryTimesAdd() {
        // 0.1 s of compute and 0.1 s of memory at 1400 MHz; at 700 MHz the compute part doubles.
        DvfsEstimate low = DvfsEnergyModel.estimate(TOY, 1e13, 1e11, 700);
        assertThat(low.timeSeconds()).isCloseTo(0.3, within(1e-15));
        double v = 0.8;
        assertThat(low.powerWatts()).as("memory power for the third of the time that waits on memory")
                .isCloseTo(50 + 300 * 0.5 * v * v + 20 / 3.0, within(1e-9));
    }

    @Test
    void theVoltageRisesLinearlyAboveTheKneeAndStaysAtItsFloorBelow() {
        PowerCurve p = TOY.power();
        assertThat(p.voltage(1400, 1400)).isEqualTo(1.0);
        assertThat(p.voltage(1200, 1400)).isCloseTo(0.9, within(1e-15));
        assertThat(p.voltage(1000, 1400)).isEqualTo(0.8);
        assertThat(p.voltage(400, 1400)).isEqualTo(0.8);
        // Below the knee switching power falls only with the clock, so energy per FLOP stops improving.
        double at600 = DvfsEnergyModel.estimate(TOY, 1e13, 0, 600).energyJoules();
        double at500 = DvfsEnergyModel.estimate(TOY, 1e13, 0, 500).energyJoules();
        assertThat(at500 - at600).as("only the static energy of the longer run")
                .isCloseTo(50 * (0.1 * 1400 / 500 - 0.1 * 1400 / 600), within(1e-12));
    }

    @Test
    void aClockThatWouldExceedTheCapRunsSlowerAtTheCap() {
        GpuSpec capped = toy(300);
        DvfsEstimate top = DvfsEnergyModel.estimate(capped, 1e13, 0, 1400);
        // 50 + 300·x·v(x)² = 300 with v = 0.8 + 0.2·(1400·x − 1000)/400 above the knee.
        double x = top.effectiveClockMhz() / 1400;
        double v = 0.8 + 0.2 * (1400 * x - 1000) / 400;
        assertThat(50 + 300 * x * v * v).isCloseTo(300, within(1e-9));
        assertThat(top.effectiveClockMhz()).isStrictlyBetween(1000.0, 1400.0);
        assertThat(top.powerWatts()).isCloseTo(300, within(1e-9));
        assertThat(top.timeSeconds()).isCloseTo(0.1 / x, within(1e-12));
        DvfsEstimate below = DvfsEnergyModel.estimate(capped, 1e13, 0, 1000);
        assertThat(below.effectiveClockMhz()).as("under the cap the clock is the one asked for").isEqualTo(1000);
    }

    @Test
    void powerRisesWithTheClockAndEnergyHasAMinimumInside() {
        double previousPower = 0;
        double least = Double.POSITIVE_INFINITY;
        int leastAt = 0;
        for (int f = A100.minClockMhz(); f <= A100.maxClockMhz(); f += A100.clockStepMhz()) {
            DvfsEstimate e = DvfsEnergyModel.estimate(A100, 1e13, 1e9, f);
            assertThat(e.powerWatts()).isGreaterThanOrEqualTo(previousPower).isLessThanOrEqualTo(A100.power().capWatts() + 1e-6);
            previousPower = e.powerWatts();
            if (e.energyJoules() < least) {
                least = e.energyJoules();
                leastAt = f;
            }
        }
        assertThat(leastAt).isStrictlyBetween(A100.minClockMhz(), A100.maxClockMhz());
    }

    @Test
    void aFitCarriedOverToItsOwnDatasheetIsUnchanged() {
        GpuSpec same = A100.onDatasheet(A100.datasheet());
        assertThat(same.power().smDynamicWatts()).isCloseTo(A100.power().smDynamicWatts(), within(1e-9));
        assertThat(same.power().capWatts()).isCloseTo(A100.power().capWatts(), within(1e-9));
        assertThat(same.power().kneeClockMhz()).isEqualTo(A100.power().kneeClockMhz());
    }

    @Test
    void aFitCarriedOverKeepsTheKneeInMegahertzAndScalesPowerWithTheLimit() {
        GpuSpec h100 = GpuSpec.h100Sxm();
        double scale = 700 / 500.0;
        assertThat(h100.power().kneeClockMhz()).isEqualTo(A100.power().kneeClockMhz());
        assertThat(h100.power().kneeVoltage()).isEqualTo(A100.power().kneeVoltage());
        assertThat(h100.power().capWatts()).isCloseTo(scale * A100.power().capWatts(), within(1e-9));
        double v = A100.power().kneeVoltage();
        double knee = A100.power().kneeClockMhz();
        assertThat(h100.power().smDynamicWatts() * knee / 1980 * v * v).as("SM power at the knee")
                .isCloseTo(scale * A100.power().smDynamicWatts() * knee / 1410 * v * v, within(1e-9));
        assertThat(h100.staticWatts()).isEqualTo(100);
    }

    @Test
    void theSweepStopsAfterEnergyRisesFiveTimesInARow() {
        Profile profile = DvfsEnergyModel.profile(A100, List.of(new StageWork(1e13, 1e9, 2e13, 2e9)));
        List<Measurement> rows = profile.measurements(0, Instruction.FORWARD);
        assertThat(rows.get(0).frequencyMhz()).isEqualTo(1410);
        int n = rows.size();
        assertThat(rows.get(n - 1).frequencyMhz()).isGreaterThan(A100.minClockMhz());
        for (int k = n - 5; k < n; k++) {
            assertThat(rows.get(k).energyJoules()).isGreaterThan(rows.get(k - 1).energyJoules());
        }
        assertThat(rows.get(n - 6).energyJoules()).isLessThanOrEqualTo(rows.get(n - 7).energyJoules());
    }

    @ParameterizedTest
    @MethodSource("presets")
    void everyPresetGivesAFrontierWithoutMeasurements(GpuSpec gpu) {
        // Four stages of a GPT-like model; the last also runs the LM head, so it is heavier.
        List<StageWork> stages = List.of(new StageWork(4e12, 2e9, 8e12, 4e9), new StageWork(4e12, 2e9, 8e12, 4e9),
                new StageWork(4e12, 2e9, 8e12, 4e9), new StageWork(5e12, 3e9, 10e12, 6e9));
        Profile profile = DvfsEnergyModel.profile(gpu, stages);
        Frontier frontier = PhillipsDessouky.frontier(PipelineDag.build(4, 8, PipelineSchedule.ONE_F_ONE_B),
                FittedProfile.fit(profile, 1e-4, gpu.staticWatts()));
        assertThat(frontier.points().size()).isGreaterThan(10);
        assertThat(frontier.slowest().timeSeconds()).isGreaterThan(frontier.fastest().timeSeconds());
        assertThat(frontier.fastest().computationEnergyJoules())
                .isGreaterThan(frontier.slowest().computationEnergyJoules());
    }
}
