package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.planner.PlanningException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Stage orders of 1F1B and GPipe, their simulated timelines, and the Gantt chart drawn from them. */
class PipelineScheduleTest {

    @Test
    void oneForwardOneBackwardWarmsUpThenAlternatesThenDrains() {
        assertThat(PipelineSchedule.ONE_F_ONE_B.stageOrder(4, 6, 0)).hasToString("[F0, F1, F2, F3, B0, F4, B1, F5, B2, B3, B4, B5]");
        assertThat(PipelineSchedule.ONE_F_ONE_B.stageOrder(4, 6, 3)).hasToString("[F0, B0, F1, B1, F2, B2, F3, B3, F4, B4, F5, B5]");
        assertThat(PipelineSchedule.ONE_F_ONE_B.stageOrder(4, 2, 0)).hasToString("[F0, F1, B0, B1]");
        assertThat(PipelineSchedule.GPIPE.stageOrder(2, 3, 1)).hasToString("[F0, F1, F2, B2, B1, B0]");
        assertThat(PipelineSchedule.ONE_F_ONE_B.inflight(4, 6, 0)).isEqualTo(4);
        assertThat(PipelineSchedule.ONE_F_ONE_B.inflight(4, 2, 0)).isEqualTo(2);
        assertThat(PipelineSchedule.ONE_F_ONE_B.inflight(4, 6, 3)).isEqualTo(1);
        assertThat(PipelineSchedule.GPIPE.inflight(4, 6, 3)).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches")
    @CsvSource({"1, 1", "2, 4", "4, 4", "4, 16", "8, 3"})
    void equalStagesTakeTheFormulasTime(int stages, int microbatches) {
        // with equal stages the makespan is (S + B - 1)(f + b): the bubble is S - 1 forward-backward pairs
        double[] f = new double[stages];
        double[] b = new double[stages];
        Arrays.fill(f, 1.0);
        Arrays.fill(b, 2.0);
        for (PipelineSchedule s : PipelineSchedule.values()) {
            PipelineTimeline t = PipelineTimeline.simulate(s, f, b, microbatches);
            assertThat(t.makespan()).as(s.cliName()).isCloseTo((stages + microbatches - 1) * 3.0, within(1e-12));
            assertThat(t.stages()).allMatch(row -> row.size() == 2 * microbatches);
        }
    }

    @Test
    void ganttChartShowsEachPass() {
        PipelineTimeline t = PipelineTimeline.simulate(PipelineSchedule.ONE_F_ONE_B, new double[] {1, 1}, new double[] {1, 1}, 2);
        String chart = GanttChart.render(t, 200);
        // 1 s per pass, 3 characters per pass; stage 0 waits for stage 1's backward of each microbatch
        assertThat(chart).contains("stage 0   |F0-F1-...B0=...B1=|", "stage 1   |...F0-B0=F1-B1=...|");
    }

    @Test
    void wideChartsAreCutInTheMiddle() {
        PipelineTimeline t = PipelineTimeline.simulate(PipelineSchedule.GPIPE, new double[] {1}, new double[] {1}, 100);
        String chart = GanttChart.render(t, 40);
        assertThat(chart).contains(" ... ", "not shown");
        assertThat(chart.lines().filter(l -> l.startsWith("stage 0")).findFirst().orElseThrow()).hasSize(11 + 40 + 5 + 1);
    }

    @Test
    void unknownScheduleIsAUserError() {
        assertThat(PipelineSchedule.parse("GPipe")).isEqualTo(PipelineSchedule.GPIPE);
        assertThatThrownBy(() -> PipelineSchedule.parse("zb")).isInstanceOf(PlanningException.class)
                .hasMessage("unknown schedule 'zb'; use 1f1b or gpipe");
    }
}
