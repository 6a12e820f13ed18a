package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.DvfsEstimate;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.model.PowerCurve;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.PerseusData;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DvfsCalibrationTest {
    /** Two stages, forward and backward: compute-bound shares from mostly memory-bound to mostly compute-bound. */
    static final List<InstructionTime> WORK = List.of(new InstructionTime(0.045, 0.005), new InstructionTime(0.080, 0.015),
            new InstructionTime(0.030, 0.030), new InstructionTime(0.030, 0.070));

    /** The model's own sweep of {@code truth} from its highest clock down to {@code lowest}, with relative noise. */
    static Profile generated(GpuSpec truth, int lowest, double noise, long seed) {
        Random random = new Random(seed);
        List<Measurement> rows = new ArrayList<>();
        for (int i = 0; i < WORK.size(); i++) {
            for (int f = truth.maxClockMhz(); f >= lowest; f -= truth.clockStepMhz()) {
                DvfsEstimate e = DvfsEnergyModel.estimate(truth, WORK.get(i), f);
                rows.add(new Measurement(i / 2, Instruction.values()[i % 2], f,
                        e.timeSeconds() * (1 + noise * random.nextGaussian()),
                        e.energyJoules() * (1 + noise * random.nextGaussian())));
            }
        }
        return new Profile(rows);
    }

    static GpuSpec withCurve(GpuSpec gpu, PowerCurve curve) {
        return new GpuSpec(gpu.datasheet(), curve, "test truth");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void recoversKnownParametersFromTheModelsOwnProfileWithNoise(long seed) {
        GpuSpec truth = withCurve(GpuSpec.a100Sxm(), new PowerCurve(380, 0, 1050, 0.74, 440));
        Profile profile = generated(truth, 855, 0.005, seed);
        // Start from another curve: the fit must find this one, not return its start.
        GpuSpec start = withCurve(GpuSpec.a100Sxm(), new PowerCurve(250, 0, 800, 0.9, 490));

        Calibration fit = DvfsCalibration.fit(profile, start, DvfsCalibration.Options.DEFAULT);

        PowerCurve p = fit.gpu().power();
        assertThat(p.smDynamicWatts()).isCloseTo(380, within(380 * 0.03));
        assertThat(p.kneeClockMhz()).isCloseTo(1050, within(25.0));
        assertThat(p.kneeVoltage()).isCloseTo(0.74, within(0.02));
        assertThat(p.capWatts()).isCloseTo(440, within(440 * 0.01));
        for (int i = 0; i < WORK.size(); i++) {
            assertThat(fit.instructions().get(i).time().computeFraction()).as("instruction %d", i)
                    .isCloseTo(WORK.get(i).computeFraction(), within(0.02));
        }
        assertThat(fit.time().rms()).as("the residuals are the noise").isCloseTo(0.005, within(0.001));
    }

    @Test
    void freedStaticAndMemoryPowersAreRecoveredWhenTheProfileHoldsThem() {
        GpuSpec truth = withCurve(GpuSpec.a40(), new PowerCurve(300, 40, 1150, 0.8, 280));
        Profile profile = generated(truth, 855, 0.002, 7);
        GpuSpec start = GpuSpec.a40();

        Calibration fit = DvfsCalibration.fit(profile, start, new DvfsCalibration.Options(true, true));

        assertThat(fit.gpu().staticWatts()).isCloseTo(70.38, within(5.0));
        assertThat(fit.gpu().power().memoryWatts()).isCloseTo(40, within(8.0));
        assertThat(fit.gpu().power().kneeClockMhz()).isCloseTo(1150, within(25.0));
    }

    @Test
    void thePresetsAreTheFitsOfThePublishedProfiles() {
        for (GpuSpec preset : List.of(GpuSpec.a100Sxm(), GpuSpec.a40())) {
            Profile published = PerseusData.profile(preset.name().startsWith("A100") ? PerseusData.A100 : PerseusData.A40);
            PowerCurve fitted = DvfsCalibration.fit(published, preset, DvfsCalibration.Options.DEFAULT).gpu().power();
            PowerCurve p = preset.power();
            assertThat(p.smDynamicWatts()).as(preset.name()).isCloseTo(fitted.smDynamicWatts(), within(0.5));
            assertThat(p.kneeClockMhz()).as(preset.name()).isCloseTo(fitted.kneeClockMhz(), within(1.0));
            assertThat(p.kneeVoltage()).as(preset.name()).isCloseTo(fitted.kneeVoltage(), within(0.001));
            assertThat(p.capWatts()).as(preset.name()).isCloseTo(fitted.capWatts(), within(0.5));
            assertThat(p.memoryWatts()).isEqualTo(fitted.memoryWatts()).isZero();
        }
    }

    @Test
    void refusesAnInstructionMeasuredAtFewerThanThreeFrequencies() {
        List<Measurement> rows = new ArrayList<>(generated(GpuSpec.a100Sxm(), 855, 0, 1).measurements());
        rows.removeIf(m -> m.stage() == 1 && m.instruction() == Instruction.BACKWARD && m.frequencyMhz() < 1395);
        assertThatThrownBy(() -> DvfsCalibration.fit(new Profile(rows), GpuSpec.a100Sxm(), DvfsCalibration.Options.DEFAULT))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage("stage 1 backward is measured at 2 frequencies; fitting the model needs 3 or more per instruction");
    }

    @Test
    void refusesAnInstructionWithoutEnergy() {
        List<Measurement> rows = new ArrayList<>();
        for (Measurement m : generated(GpuSpec.a100Sxm(), 1300, 0, 1).measurements()) {
            boolean zero = m.stage() == 0 && m.instruction() == Instruction.FORWARD && m.frequencyMhz() == 1350;
            rows.add(zero ? new Measurement(0, Instruction.FORWARD, 1350, m.timeSeconds(), 0) : m);
        }
        assertThatThrownBy(() -> ModelCheck.of(new Profile(rows), GpuSpec.a100Sxm(), 4, 83.64, 1e-3))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage("stage 0 forward at 1350 MHz has no energy; the model is fitted to positive energies");
    }

    @Test
    void refusesAProfileMeasuredOutsideTheGpusClocks() {
        Profile a40 = PerseusData.profile(PerseusData.A40);
        assertThatThrownBy(() -> DvfsCalibration.fit(a40, GpuSpec.a100Sxm(), DvfsCalibration.Options.DEFAULT))
                .isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("855-1740 MHz, outside A100-SXM4-80GB's clocks 210-1410 MHz");
    }
}
