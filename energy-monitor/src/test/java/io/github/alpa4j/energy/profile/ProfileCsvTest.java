package io.github.alpa4j.energy.profile;

import io.github.alpa4j.energy.EnergyInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileCsvTest {
    private static final String GOOD = """
            stage,instruction,frequency,time,energy
            0,forward,1410,0.05,20.0
            0,forward,1200,0.06,18.0
            0,backward,1410,0.10,40.0
            0,backward,1200,0.12,36.5
            """;

    private static Profile read(String csv) {
        return ProfileCsv.read(new StringReader(csv), "test.csv");
    }

    @Test
    void readsTheArtifactProfiles() {
        Profile a100 = PerseusData.profile(PerseusData.A100);
        assertThat(a100.stageCount()).isEqualTo(8);
        assertThat(a100.measurements()).hasSize(608);
        assertThat(a100.measurements(7, Instruction.FORWARD)).hasSize(38);
        Measurement top = a100.atMaximumFrequency(0, Instruction.FORWARD);
        assertThat(top.frequencyMhz()).isEqualTo(1410);
        assertThat(top.timeSeconds()).isEqualTo(0.05016166687011708);
        assertThat(top.energyJoules()).isEqualTo(23.80547200000007);
        assertThat(PerseusData.profile(PerseusData.A40).atMaximumFrequency(3, Instruction.BACKWARD).frequencyMhz())
                .isEqualTo(1740);
    }

    @Test
    void writingAndReadingGiveTheSameRows(@TempDir Path dir) {
        Profile a40 = PerseusData.profile(PerseusData.A40);
        Path file = dir.resolve("copy.csv");
        ProfileCsv.write(a40, file);
        assertThat(ProfileCsv.read(file).measurements()).isEqualTo(a40.measurements());
    }

    @Test
    void aNonNumericValueNamesItsRow() {
        assertThatThrownBy(() -> read(GOOD.replace("0.06,18.0", "0.06,lots")))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage("test.csv row 3 '0,forward,1200,0.06,lots': energy 'lots' is not a number");
    }

    @Test
    void aNegativeValueNamesItsRow() {
        assertThatThrownBy(() -> read(GOOD.replace("0,backward,1410,0.10", "0,backward,1410,-0.10")))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage("test.csv row 4 '0,backward,1410,-0.10,40.0': time -0.10 is negative");
    }

    @Test
    void aMissingStageIsNamed() {
        String csv = GOOD + "2,forward,1410,0.05,20\n2,forward,1200,0.06,18\n2,backward,1410,0.1,40\n2,backward,1200,0.12,36\n";
        assertThatThrownBy(() -> read(csv))
                .isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("no rows for stage 1 forward");
    }

    @Test
    void aSingleFrequencyNamesItsRow() {
        String csv = """
                stage,instruction,frequency,time,energy
                0,forward,1410,0.05,20.0
                0,forward,1200,0.06,18.0
                0,backward,1410,0.10,40.0
                """;
        assertThatThrownBy(() -> read(csv))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage("test.csv row 4 '0,backward,1410,0.10,40.0': stage 0 backward has this one frequency only;"
                        + " a frontier needs two or more");
    }

    @Test
    void otherMalformedRowsAreNamedToo() {
        assertThatThrownBy(() -> read("stage,instr,frequency,time,energy\n"))
                .hasMessageContaining("row 1: the header must be");
        assertThatThrownBy(() -> read(GOOD.replace("0,forward,1200,0.06,18.0", "0,forward,1200,0.06")))
                .hasMessageContaining("row 3").hasMessageContaining("expected 5 fields");
        assertThatThrownBy(() -> read(GOOD.replace("0,forward,1200", "0,sideways,1200")))
                .hasMessageContaining("row 3").hasMessageContaining("'sideways' is neither");
        assertThatThrownBy(() -> read(GOOD.replace("0,forward,1200", "0,forward,1410")))
                .hasMessageContaining("row 3").hasMessageContaining("repeats row 2");
        assertThatThrownBy(() -> read(GOOD.replace("0,forward,1200", "0.5,forward,1200")))
                .hasMessageContaining("row 3").hasMessageContaining("stage '0.5' is not a whole number");
        assertThatThrownBy(() -> ProfileCsv.read(Path.of("no/such/profile.csv")))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("does not exist");
    }

    @Test
    void everyMessageIsOneLine() {
        assertThatThrownBy(() -> read(GOOD.replace("18.0", "NaN"))).message().doesNotContain("\n");
    }
}
