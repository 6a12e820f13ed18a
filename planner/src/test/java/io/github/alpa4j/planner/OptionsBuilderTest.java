package io.github.alpa4j.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.planner.stage.LogicalShapeSpace;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.RematMode;
import io.github.alpa4j.planner.stage.StageOptions;
import io.github.alpa4j.planner.stage.SubmeshSpace;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The builders of {@link PlannerOptions} and {@link StageOptions}: defaults as before, every knob carried by toBuilder. */
class OptionsBuilderTest {

    @Test
    void theDefaultsAreTheOnesThePlannerAlwaysHad() {
        assertThat(PlannerOptions.defaults())
                .isEqualTo(new PlannerOptions(false, true, true, true, true, OptionalLong.empty(), 60.0, 1, true, 1.0, true));
        assertThat(StageOptions.defaults()).isEqualTo(new StageOptions(0, 0.5, SubmeshSpace.POWER_OF_TWO,
                LogicalShapeSpace.MODEL_PARALLEL_IN_HOST, PipelineSchedule.ONE_F_ONE_B, OptionalLong.empty(), true, 0,
                PlannerOptions.defaults(), null, RematMode.NONE));
    }

    @Test
    void toBuilderCarriesEveryKnob() {
        // every knob away from its default, so a knob toBuilder forgot would fall back and differ
        PlannerOptions p = new PlannerOptions(true, false, false, false, false, OptionalLong.of(1 << 20), 5.0, 3, false, 0.25, false);
        assertThat(p.toBuilder().build()).isEqualTo(p);
        StageOptions s = new StageOptions(4, 1.5, SubmeshSpace.ALL, LogicalShapeSpace.ALL, PipelineSchedule.GPIPE,
                OptionalLong.of(1 << 30), false, 2, p, (plan, analytic) -> analytic, RematMode.AUTO);
        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void toBuilderCarriesRematerialisation() {
        StageOptions s = StageOptions.defaults().withRemat(RematMode.AUTO).withSchedule(PipelineSchedule.GPIPE);
        assertThat(s.toBuilder().build()).isEqualTo(s);
        assertThat(s.remat()).isEqualTo(RematMode.AUTO);
        assertThat(StageOptions.defaults().remat()).isEqualTo(RematMode.NONE);
    }

    @Test
    void aShorthandChangesOneKnobOnly() {
        PlannerOptions p = PlannerOptions.defaults().withTimeLimitSeconds(5).withMemoryBudgetBytes(4096);
        assertThat(p).isEqualTo(PlannerOptions.builder().timeLimitSeconds(5).memoryBudgetBytes(4096).build());
        assertThat(p.withoutMemoryBudget()).isEqualTo(PlannerOptions.builder().timeLimitSeconds(5).build());
        StageOptions s = StageOptions.defaults().withSchedule(PipelineSchedule.GPIPE).withIntraOp(p);
        assertThat(s).isEqualTo(StageOptions.builder().schedule(PipelineSchedule.GPIPE).intraOp(p).build());
    }

    @Test
    void buildChecksTheKnobs() {
        assertThatThrownBy(() -> PlannerOptions.builder().timeLimitSeconds(0).build()).isInstanceOf(PlanningException.class)
                .hasMessageContaining("time limit");
        assertThatThrownBy(() -> StageOptions.builder().epsilon(-1).build()).isInstanceOf(PlanningException.class)
                .hasMessageContaining("epsilon");
    }
}
