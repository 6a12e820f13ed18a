package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.EnergyInputException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineScheduleTest {
    private static String order(PipelineSchedule schedule, int stages, int microbatches, int stage) {
        return String.join(" ", schedule.stageOrder(stages, microbatches, stage).stream()
                .map(c -> c.toString().substring(0, 1) + c.microbatch()).toList());
    }

    @Test
    void oneFOneBWarmsUpThenAlternatesThenDrains() {
        assertThat(order(PipelineSchedule.ONE_F_ONE_B, 4, 6, 0)).isEqualTo("F0 F1 F2 F3 B0 F4 B1 F5 B2 B3 B4 B5");
        assertThat(order(PipelineSchedule.ONE_F_ONE_B, 4, 6, 2)).isEqualTo("F0 F1 B0 F2 B1 F3 B2 F4 B3 F5 B4 B5");
        assertThat(order(PipelineSchedule.ONE_F_ONE_B, 4, 6, 3)).isEqualTo("F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5");
        assertThat(order(PipelineSchedule.ONE_F_ONE_B, 4, 2, 0)).as("fewer microbatches than stages")
                .isEqualTo("F0 F1 B0 B1");
    }

    @Test
    void gpipeRunsEveryForwardThenEveryBackwardLastFirst() {
        assertThat(order(PipelineSchedule.GPIPE, 4, 3, 1)).isEqualTo("F0 F1 F2 B2 B1 B0");
    }

    @Test
    void cliNamesParse() {
        assertThat(PipelineSchedule.fromCliName("1f1b")).isEqualTo(PipelineSchedule.ONE_F_ONE_B);
        assertThat(PipelineSchedule.fromCliName("GPipe")).isEqualTo(PipelineSchedule.GPIPE);
        assertThatThrownBy(() -> PipelineSchedule.fromCliName("interleaved"))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("use 1f1b or gpipe");
    }
}
