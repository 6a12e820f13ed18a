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

    @Test
    void computeBoundTimeScalesWithTheInverseClock() {
        double flops = 1e13;
        DvfsEstimate top = DvfsEnergyModel.estimate(A100, flops, 1e6, 1410);
        DvfsEstimate half = DvfsEnergyModel.estimate(A100, flops, 1e6, 705);
        assertThat(top.timeSeconds()).isCloseTo(flops / 312e12, within(1e-12));
        assertThat(half.timeSeconds()).isCloseTo(2 * top.timeSeconds(), within(1e-12));
    }

    @Test
    void memoryBoundTimeDoesNotDependOnTheClock() {
        double bytes = 4e10;
        DvfsEstimate top = DvfsEnergyModel.estimate(A100, 1e9, bytes, 1410);
        DvfsEstimate low = DvfsEnergyModel.estimate(A100, 1e9, bytes, 1005);
        assertThat(top.timeSeconds()).isEqualTo(bytes / 2.039e12).isEqualTo(low.timeSeconds());
        assertThat(low.energyJoules()).as("less SM power for the same time").isLessThan(top.energyJoules());
    }

    @Test
    void powerRisesWithTheClockAndEnergyHasAMinimumInside() {
        double previousPower = 0;
        double least = Double.POSITIVE_INFINITY;
        int leastAt = 0;
        for (int f = A100.minClockMhz(); f <= A100.maxClockMhz(); f += A100.clockStepMhz()) {
            DvfsEstimate e = DvfsEnergyModel.estimate(A100, 1e13, 1e6, f);
            assertThat(e.powerWatts()).isGreaterThan(previousPower);
            previousPower = e.powerWatts();
            if (e.energyJoules() < least) {
                least = e.energyJoules();
                leastAt = f;
            }
        }
        assertThat(leastAt).isStrictlyBetween(A100.minClockMhz(), A100.maxClockMhz());
        double memoryBusy = (1e6 / 2.039e12) / (1e13 / 312e12);
        assertThat(DvfsEnergyModel.estimate(A100, 1e13, 1e6, 1410).powerWatts())
                .as("static + all SMs at full clock and voltage + the little memory traffic")
                .isCloseTo(80 + 260 + 60 * memoryBusy, within(1e-9));
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
