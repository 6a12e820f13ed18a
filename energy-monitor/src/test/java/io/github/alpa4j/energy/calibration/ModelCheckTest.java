package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.StageWork;
import io.github.alpa4j.energy.profile.PerseusData;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The acceptance numbers, on the published profiles, with the presets that are their fits. */
class ModelCheckTest {
    @ParameterizedTest(name = "{0} on its own profile")
    @CsvSource({"A100, " + PerseusData.A100 + ", 83.64", "A40, " + PerseusData.A40 + ", 70.38"})
    void aFitPredictsItsOwnProfile(String gpu, String profile, double blockingWatts) {
        GpuSpec spec = gpu.equals("A100") ? GpuSpec.a100Sxm() : GpuSpec.a40();
        ModelCheck check = ModelCheck.of(PerseusData.profile(profile), spec, 12, blockingWatts, 1e-3);
        assertThat(check.time().median()).isLessThanOrEqualTo(0.03);
        assertThat(check.time().largest()).isLessThanOrEqualTo(0.08);
        assertThat(check.energy().median()).isLessThanOrEqualTo(0.03);
        assertThat(check.energy().largest()).isLessThanOrEqualTo(0.08);
        assertThat(check.saving().modelPercent()).isCloseTo(check.saving().measuredPercent(), within(2.0));
    }

    @ParameterizedTest(name = "{0} fit on the {1} datasheet")
    @CsvSource({"A100, A40, " + PerseusData.A40, "A40, A100, " + PerseusData.A100})
    void aFitCarriedToTheOtherGpusDatasheetPredictsItsProfile(String from, String to, String profile) {
        GpuSpec source = from.equals("A100") ? GpuSpec.a100Sxm() : GpuSpec.a40();
        GpuSpec target = to.equals("A100") ? GpuSpec.a100Sxm() : GpuSpec.a40();
        GpuSpec carried = source.onDatasheet(target.datasheet());
        ModelCheck check = ModelCheck.of(PerseusData.profile(profile), carried, 12, target.staticWatts(), 1e-3);
        assertThat(check.time().median()).isLessThanOrEqualTo(0.08);
        assertThat(check.energy().median()).isLessThanOrEqualTo(0.08);
    }

    @Test
    void theMeasuredA100SavingIsThePerseusAuthors() {
        ModelCheck check = ModelCheck.of(PerseusData.profile(PerseusData.A100), GpuSpec.a100Sxm(), 12, 83.64, 1e-3);
        assertThat(check.saving().measuredPercent()).isCloseTo(15.20, within(0.005));
    }

    @Test
    void theModelsOwnProfileChecksWithoutError() {
        GpuSpec h100 = GpuSpec.h100Sxm();
        List<StageWork> stages = List.of(new StageWork(4e12, 2e9, 8e12, 4e9), new StageWork(5e12, 8e9, 10e12, 16e9));
        Profile predicted = DvfsEnergyModel.profile(h100, stages);
        ModelCheck check = ModelCheck.of(predicted, h100, 4, h100.staticWatts(), 1e-4);
        assertThat(check.time().largest()).isLessThan(1e-6);
        assertThat(check.energy().largest()).isLessThan(1e-6);
        assertThat(check.saving().modelPercent()).isCloseTo(check.saving().measuredPercent(), within(1e-6));
        assertThat(check.instructions().get(2).time().computeFraction())
                .as("stage 1 forward: 5e12 FLOP at 790 TFLOP/s against 8e9 B at 3 TB/s")
                .isCloseTo((5e12 / 790e12) / (5e12 / 790e12 + 8e9 / 3e12), within(1e-4));
    }
}
