package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.plan.ChosenPlan;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.PlanChoice;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A memory-bound stage: its time does not change with the SM clock, its energy falls with it, so
 * every option of it has one quantised time. Its least-energy clock costs no time, and the
 * pipeline at its fastest must run it there.
 */
class MemoryBoundStageTest {
    private static final double TAU = 1e-3;
    private static final double BLOCKING_WATTS = 50;
    private static final int[] CLOCKS = {1410, 1200, 1000, 800};

    /**
     * Stage 0 takes 10.4 ms forward and 20.4 ms backward at every clock, for less energy the
     * slower the clock; stage 1 is compute-bound, slower and cheaper as the clock falls.
     */
    private static Profile profile() {
        double[] memoryBoundJoules = {3.0, 2.8, 2.6, 2.5};
        double[] computeBoundSeconds = {0.0102, 0.0121, 0.0143, 0.0175};
        double[] computeBoundJoules = {3.0, 2.7, 2.5, 2.45};
        List<Measurement> rows = new ArrayList<>();
        for (int k = 0; k < CLOCKS.length; k++) {
            rows.add(new Measurement(0, Instruction.FORWARD, CLOCKS[k], 0.0104, memoryBoundJoules[k]));
            rows.add(new Measurement(0, Instruction.BACKWARD, CLOCKS[k], 0.0204, 2 * memoryBoundJoules[k]));
            rows.add(new Measurement(1, Instruction.FORWARD, CLOCKS[k], computeBoundSeconds[k], computeBoundJoules[k]));
            rows.add(new Measurement(1, Instruction.BACKWARD, CLOCKS[k], 2 * computeBoundSeconds[k] - 0.0002,
                    2 * computeBoundJoules[k]));
        }
        return new Profile(rows);
    }

    @ParameterizedTest
    @EnumSource(Dominance.class)
    void theFastestPointRunsTheMemoryBoundStageAtItsLeastEnergyAndSaves(Dominance dominance) {
        Profile profile = profile();
        PipelineDag dag = PipelineDag.build(2, 4, PipelineSchedule.ONE_F_ONE_B);
        Frontier frontier = PhillipsDessouky.frontier(dag, FittedProfile.fit(profile, TAU, BLOCKING_WATTS, dominance));

        long[] allAtMaximum = new long[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            allAtMaximum[i] = (long) Math.floor(profile.atMaximumFrequency(c.stage(), c.instruction()).timeSeconds() / TAU);
        }
        assertThat(frontier.fastest().quanta()).as("fastest = every computation at its highest clock")
                .isEqualTo(Makespan.of(dag, allAtMaximum));

        ChosenPlan plan = PlanChoice.choose(frontier, profile, new Deadline.NoStraggler());
        assertThat(plan.atMaximumFrequency()).isFalse();
        assertThat(plan.point()).isEqualTo(frontier.fastest());
        for (int i = 0; i < dag.size(); i++) {
            if (dag.computation(i).stage() == 0) {
                assertThat(plan.frequenciesMhz().get(i)).as("memory-bound %s", dag.computation(i)).isEqualTo(800);
            }
        }
        // All at 1410 MHz: 72 J of runs and 50 W over 2 × 150 ms − 244.8 ms of waiting, 74.76 J.
        // The plan keeps stage 1 at 1410 MHz and runs stage 0 at 800 MHz in the same time: 0.5 J
        // less a forward and 1 J less a backward, 6 J over 4 microbatches.
        assertThat(plan.baselineJoules()).isCloseTo(74.76, within(1e-9));
        assertThat(plan.measuredEnergyJoules()).isCloseTo(74.76 - 6, within(1e-9));
        // The curves charge P_block for whole quanta, so they see less of the saving; still a saving.
        assertThat(plan.energyJoules()).isLessThan(plan.baselineJoules());
        assertThat(plan.savingPercent()).isPositive();
    }
}
