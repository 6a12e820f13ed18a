package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The planner's schedules (for Gantt charts and memory) and the energy module's (for its DAG) are one definition. */
class PipelineScheduleAgreementTest {

    @ParameterizedTest
    @EnumSource(PipelineSchedule.class)
    void plannerAndEnergyOrdersAgree(PipelineSchedule planner) {
        io.github.alpa4j.energy.dag.PipelineSchedule energy =
                io.github.alpa4j.energy.dag.PipelineSchedule.fromCliName(planner.cliName());
        for (int stages = 1; stages <= 8; stages++) {
            for (int microbatches = 1; microbatches <= 10; microbatches++) {
                for (int s = 0; s < stages; s++) {
                    List<Computation> expected = energy.stageOrder(stages, microbatches, s);
                    List<Computation> actual = planner.stageOrder(stages, microbatches, s).stream()
                            .map(t -> new Computation(t.stage(), t.microbatch(),
                                    t.pass() == PipelineSchedule.Pass.FORWARD ? Instruction.FORWARD : Instruction.BACKWARD))
                            .toList();
                    assertThat(actual).as("%s, %d stages, %d microbatches, stage %d", planner, stages, microbatches, s)
                            .isEqualTo(expected);
                }
            }
        }
    }
}
