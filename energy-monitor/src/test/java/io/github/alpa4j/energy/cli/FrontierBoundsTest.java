package io.github.alpa4j.energy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.PerseusData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frontier's work is known before it starts and bounded: the steps it announces are the steps it
 * takes (each one quantum), progress hears every one, and a request beyond the stated limits is
 * refused saying how large it is.
 */
class FrontierBoundsTest {
    @TempDir
    Path dir;

    private FrontierRequest a100(int microbatches, double tauSeconds, Optional<Path> json) {
        return new FrontierRequest(new ProfileSource.CsvFile(PerseusData.copy(PerseusData.A100, dir)), 8, microbatches,
                PipelineSchedule.ONE_F_ONE_B, PerseusData.A100_BLOCKING_WATTS, tauSeconds, Dominance.RAW_ENERGY, OptionalDouble.empty(),
                json, Optional.empty(), 10);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-3, 2e-3})
    void theAnnouncedStepsAreTheStepsTakenAndProgressHearsEach(double tau) {
        long[] announced = {-1};
        List<Long> heard = new ArrayList<>();
        FrontierResult r = FrontierReport.run(a100(12, tau, Optional.empty()), (file, bytes) -> { }, new FrontierReport.Progress() {
            @Override
            public void start(long steps) {
                announced[0] = steps;
            }

            @Override
            public void stepsDone(long steps) {
                heard.add(steps);
            }
        });
        assertThat(announced[0]).isEqualTo(r.frontier().points().size() - 1).isPositive();
        assertThat(heard).hasSize((int) announced[0]).startsWith(1L).endsWith(announced[0]);
    }

    @Test
    void theFilesGoThroughTheGivenOutput() {
        Map<Path, Integer> written = new HashMap<>();
        Path json = dir.resolve("f.json");
        FrontierReport.run(a100(4, 1e-3, Optional.of(json)), (file, bytes) -> written.put(file, bytes.length), new FrontierReport.Progress() {
            @Override
            public void start(long steps) {
            }

            @Override
            public void stepsDone(long steps) {
            }
        });
        assertThat(written).containsOnlyKeys(json);
        assertThat(json).doesNotExist();
    }

    @Test
    void requestsBeyondTheLimitsAreRefusedWithTheirSize() {
        assertThatThrownBy(() -> FrontierReport.run(a100(100_000, 1e-3, Optional.empty()))).isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("make a pipeline of 1,600,000 computations; the frontier is solved for at most 20,000");
        assertThatThrownBy(() -> FrontierReport.run(a100(12, 1e-9, Optional.empty()))).isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("cuts the widest range of one computation's times (0.0507 s) into 5.07e+07 quanta");
        assertThatThrownBy(() -> FrontierReport.run(a100(1000, 1e-3, Optional.empty()))).isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("takes 34,231 steps of one quantum over 16,000 computations (5.5e+08 step-computations); at most 2e+08");
    }
}
