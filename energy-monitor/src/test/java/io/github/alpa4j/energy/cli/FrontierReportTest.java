package io.github.alpa4j.energy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.StageWork;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.PerseusData;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FrontierReportTest {
    @TempDir
    Path dir;

    private FrontierRequest a100(int stages, OptionalDouble straggler, String plot) {
        Path csv = PerseusData.copy(PerseusData.A100, dir);
        return new FrontierRequest(new ProfileSource.CsvFile(csv), stages, 12, PipelineSchedule.ONE_F_ONE_B,
                PerseusData.A100_BLOCKING_WATTS, 1e-3, Dominance.RAW_ENERGY, straggler, Optional.of(dir.resolve("frontier.json")),
                Optional.of(dir.resolve(plot)), 10);
    }

    @Test
    void printsTheFrontierMarksTheChosenPointAndWritesJsonAndPlot() throws IOException {
        FrontierResult result = FrontierReport.run(a100(8, OptionalDouble.empty(), "frontier.svg"));

        assertThat(result.table()).contains("8 stages x 12 microbatches, 1f1b, tau = 1 ms, P_block = 83.64 W, raw-energy dominance")
                .contains("*     2.8180       6212.85     15.20 %   <- chosen")
                .contains("all at maximum frequency: 7326.61 J; saving 15.20 %");
        assertThat(result.table().lines().filter(l -> l.contains("<- chosen"))).hasSize(1);

        JsonNode json = FrontierJson.mapper().readTree(dir.resolve("frontier.json").toFile());
        assertThat(json.get("fastest_time").asDouble()).isEqualTo(2.818);
        assertThat(json.get("slowest_time").asDouble()).isEqualTo(3.457);
        assertThat(json.get("saving_percent").asDouble()).isCloseTo(15.20, within(0.005));
        assertThat(json.get("straggler_time").isNull()).isTrue();
        assertThat(json.get("chosen").get("time").asDouble()).isEqualTo(2.818);
        assertThat(json.get("chosen").get("energy").asDouble()).isCloseTo(6212.85, within(0.005));
        assertThat(json.get("chosen").get("frequencies")).hasSize(2 * 8 * 12);
        assertThat(json.get("chosen").get("frequencies").get(0).get("frequency_mhz").asInt()).isBetween(855, 1410);
        assertThat(json.get("points")).hasSize(640);
        assertThat(json.get("points").get(639).get("pareto").asBoolean()).isTrue();

        assertThat(Files.readString(dir.resolve("frontier.svg"))).contains("<svg");
    }

    @Test
    void aStragglerMovesTheChoiceAndThePlotMayBePng() throws IOException {
        FrontierResult result = FrontierReport.run(a100(8, OptionalDouble.of(3.0), "frontier.png"));
        assertThat(result.chosen().point().timeSeconds()).isEqualTo(3.0);
        assertThat(result.table()).contains("straggler at 3 s");
        byte[] png = Files.readAllBytes(dir.resolve("frontier.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void runsOnTheEnergyModelsProfileToo() {
        // The last stage also runs the LM head: the others have slack to slow down into.
        StageWork stage = new StageWork(3e12, 1e9, 6e12, 2e9);
        List<StageWork> stages = List.of(stage, stage, stage, new StageWork(4e12, 2e9, 8e12, 4e9));
        FrontierRequest request = new FrontierRequest(
                new ProfileSource.Given(DvfsEnergyModel.profile(GpuSpec.h100Sxm(), stages), "model: 4 stages on H100"),
                4, 8, PipelineSchedule.GPIPE, GpuSpec.h100Sxm().staticWatts(), 1e-4, Dominance.EFFECTIVE_ENERGY,
                OptionalDouble.empty(),
                Optional.empty(), Optional.empty(), FrontierRequest.DEFAULT_TABLE_ROWS);
        FrontierResult result = FrontierReport.run(request);
        assertThat(result.table()).contains("profile: model: 4 stages on H100").contains("gpipe");
        assertThat(result.chosen().savingPercent()).isGreaterThan(0);
    }

    /**
     * {@code energy frontier --model gpt --layers 8 --hidden 512 --heads 8 --seq 256 --vocab 1024
     * --batch 32 --stages 4 --microbatches 8 --cluster dgx-a100}: the stages' work as the engine
     * estimates it. Every stage is memory-bound from 1410 down to 330 MHz, and a run costs a few
     * hundredths of a joule, so the flow bounds are nanojoules: the frontier threw "no feasible
     * flow" under effective dominance and saved −0.04 % under raw.
     */
    @Test
    void aMemoryBoundModelProfileOfSmallStagesSavesUnderEitherDominance() {
        StageWork first = new StageWork(1.405353984e10, 4.0323072e8, 2.810707968e10, 8.0646144e8);
        StageWork middle = new StageWork(1.4053015552e10, 3.94313728e8, 2.8106031104e10, 7.88627456e8);
        StageWork last = new StageWork(1.5135145984e10, 4.1109914e8, 3.0270291968e10, 8.2219828e8);
        GpuSpec a100 = GpuSpec.a100Sxm();
        Profile profile = DvfsEnergyModel.profile(a100, List.of(first, middle, middle, last));
        // The CLI's quantum for a model: a fiftieth of the shortest computation at the highest clock.
        double tau = profile.atMaximumFrequency(1, Instruction.FORWARD).timeSeconds() / 50;
        for (Dominance dominance : Dominance.values()) {
            FrontierResult result = FrontierReport.run(new FrontierRequest(new ProfileSource.Given(profile, "gpt"), 4, 8,
                    PipelineSchedule.ONE_F_ONE_B, a100.staticWatts(), tau, dominance, OptionalDouble.empty(),
                    Optional.empty(), Optional.empty(), FrontierRequest.DEFAULT_TABLE_ROWS));
            assertThat(result.chosen().atMaximumFrequency()).as(dominance.toString()).isFalse();
            assertThat(result.chosen().savingPercent()).as(dominance.toString()).isGreaterThan(10);
            assertThat(result.chosen().measuredSavingPercent()).as(dominance.toString()).isGreaterThan(10);
        }
    }

    @Test
    void whenNoPointSavesTheChosenRowIsAllAtMaximumFrequency() throws IOException {
        List<Measurement> rows = List.of(new Measurement(0, Instruction.FORWARD, 1410, 0.0105, 3.0),
                new Measurement(0, Instruction.FORWARD, 1200, 0.0125, 3.6),
                new Measurement(0, Instruction.BACKWARD, 1410, 0.0209, 6.0),
                new Measurement(0, Instruction.BACKWARD, 1200, 0.0249, 7.2));
        Path json = dir.resolve("all-max.json");
        FrontierResult result = FrontierReport.run(new FrontierRequest(
                new ProfileSource.Given(new Profile(rows), "slower costs more"), 1, 2, PipelineSchedule.ONE_F_ONE_B, 80,
                1e-3, Dominance.RAW_ENERGY, OptionalDouble.empty(), Optional.of(json), Optional.empty(),
                FrontierRequest.DEFAULT_TABLE_ROWS));
        assertThat(result.table().lines().filter(l -> l.contains("<- chosen")))
                .containsExactly("*     0.0600         17.78      0.00 %   <- chosen: all at maximum frequency, "
                        + "no point within the deadline saves energy");
        assertThat(result.table()).contains("saving 0.00 %");
        JsonNode chosen = FrontierJson.mapper().readTree(json.toFile()).get("chosen");
        assertThat(chosen.get("at_maximum_frequency").asBoolean()).isTrue();
        assertThat(chosen.get("frequencies").findValuesAsText("frequency_mhz")).containsOnly("1410");
    }

    @Test
    void userMistakesAreOneLineErrors() {
        assertThatThrownBy(() -> FrontierReport.run(a100(4, OptionalDouble.empty(), "frontier.svg")))
                .isInstanceOf(EnergyInputException.class).hasMessageEndingWith("covers 8 stages but --stages is 4");
        assertThatThrownBy(() -> FrontierReport.run(a100(8, OptionalDouble.empty(), "frontier.pdf")))
                .isInstanceOf(EnergyInputException.class).hasMessageEndingWith("the name must end in .svg or .png");
        assertThatThrownBy(() -> FrontierReport.run(a100(8, OptionalDouble.of(2.0), "frontier.svg")))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("below this pipeline's fastest");
        assertThatThrownBy(() -> FrontierRequest.of(new ProfileSource.CsvFile(dir.resolve("x.csv")), 0, 12))
                .isInstanceOf(EnergyInputException.class).hasMessage("--stages must be at least 1, got 0");
    }

    @Test
    void aBadProfileRowReachesTheUser() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "stage,instruction,frequency,time,energy\n0,forward,1410,abc,20\n");
        assertThatThrownBy(() -> FrontierReport.run(FrontierRequest.of(new ProfileSource.CsvFile(csv), 1, 4)))
                .isInstanceOf(EnergyInputException.class)
                .hasMessage(csv + " row 2 '0,forward,1410,abc,20': time 'abc' is not a number");
    }
}
