package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.PerseusData;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PlanChoiceTest {
    private static Profile profile;
    private static Frontier frontier;

    @BeforeAll
    static void a100TwelveMicrobatches() {
        profile = PerseusData.profile(PerseusData.A100);
        frontier = PhillipsDessouky.frontier(PipelineDag.build(8, 12, PipelineSchedule.ONE_F_ONE_B),
                FittedProfile.fit(profile, 1e-3, PerseusData.A100_BLOCKING_WATTS));
    }

    @Test
    void theBaselineIsWhatTheAuthorsReport() {
        // data/perseus/README.md: every computation at 1410 MHz, P_block filling idle time to 2.818 s.
        assertThat(MaxFrequencyBaseline.energy(frontier.dag(), profile, PerseusData.A100_BLOCKING_WATTS, 2.818))
                .isCloseTo(7326.61, within(0.005));
    }

    @Test
    void withoutAStragglerThePipelineRunsAtItsFastestTimeAndSavesWhatTheAuthorsSaved() {
        ChosenPlan plan = PlanChoice.choose(frontier, profile, new Deadline.NoStraggler());
        assertThat(plan.point()).isEqualTo(frontier.fastest());
        assertThat(plan.deadlineSeconds()).isEqualTo(2.818);
        assertThat(plan.energyJoules()).isCloseTo(6212.85, within(0.005));
        assertThat(plan.savingPercent()).isCloseTo(15.20, within(0.005));
        assertThat(plan.frequenciesMhz()).hasSize(frontier.dag().size()).allMatch(f -> f >= 855 && f <= 1410);
    }

    @Test
    void filteringOnEffectiveEnergyUsesLessEnergyAtTheSameTime() {
        Frontier effective = PhillipsDessouky.frontier(frontier.dag(),
                FittedProfile.fit(profile, 1e-3, PerseusData.A100_BLOCKING_WATTS, Dominance.EFFECTIVE_ENERGY));
        ChosenPlan theirs = PlanChoice.choose(frontier, profile, new Deadline.NoStraggler());
        ChosenPlan ours = PlanChoice.choose(effective, profile, new Deadline.NoStraggler());
        assertThat(ours.deadlineSeconds()).isEqualTo(theirs.deadlineSeconds());
        assertThat(ours.energyJoules()).as("by the fitted curves").isLessThan(theirs.energyJoules() - 10);
        assertThat(ours.measuredEnergyJoules()).as("by the measurements").isLessThan(theirs.measuredEnergyJoules() - 10);
    }

    @Test
    void aStragglerLetsThePipelineSlowDownToTheLeastEnergyWithinItsTime() {
        ChosenPlan plan = PlanChoice.choose(frontier, profile, new Deadline.Straggler(3.1));
        assertThat(plan.point().timeSeconds()).isEqualTo(3.1);
        for (FrontierPoint p : frontier.points()) {
            if (p.timeSeconds() <= 3.1) {
                assertThat(p.computationEnergyJoules()).isGreaterThanOrEqualTo(plan.point().computationEnergyJoules());
            }
        }
        double blocking = 8 * 3.1 * PerseusData.A100_BLOCKING_WATTS;
        assertThat(plan.energyJoules()).isCloseTo(plan.point().computationEnergyJoules() + blocking, within(1e-9));
        assertThat(plan.savingPercent()).isGreaterThan(PlanChoice.choose(frontier, profile,
                new Deadline.NoStraggler()).savingPercent());
    }

    @Test
    void pastTheLeastEnergyPointNothingMoreIsGained() {
        ChosenPlan late = PlanChoice.choose(frontier, profile, new Deadline.Straggler(5.0));
        assertThat(late.point()).isEqualTo(frontier.slowest());
        ChosenPlan later = PlanChoice.choose(frontier, profile, new Deadline.Straggler(6.0));
        assertThat(later.point()).isEqualTo(frontier.slowest());
        assertThat(later.energyJoules() - late.energyJoules()).as("only the blocked second costs more")
                .isCloseTo(8 * PerseusData.A100_BLOCKING_WATTS, within(1e-6));
    }

    /**
     * Each computation has one clock worth running, 1410 MHz, and times between quanta: the
     * frontier is that one assignment, and its curves, charging P_block for whole quanta only,
     * price it above its measurement. Running it would report a loss against running it.
     */
    @Test
    void whenNoPointSavesEveryComputationRunsAtMaximumFrequency() {
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            rows.add(new Measurement(s, Instruction.FORWARD, 1410, 0.0105, 3.0));
            rows.add(new Measurement(s, Instruction.FORWARD, 1200, 0.0125, 3.6));
            rows.add(new Measurement(s, Instruction.BACKWARD, 1410, 0.0209, 6.0));
            rows.add(new Measurement(s, Instruction.BACKWARD, 1200, 0.0249, 7.2));
        }
        Profile costlyWhenSlow = new Profile(rows);
        for (Dominance dominance : Dominance.values()) {
            Frontier only = PhillipsDessouky.frontier(PipelineDag.build(2, 2, PipelineSchedule.ONE_F_ONE_B),
                    FittedProfile.fit(costlyWhenSlow, 1e-3, 80, dominance));
            ChosenPlan plan = PlanChoice.choose(only, costlyWhenSlow, new Deadline.NoStraggler());
            assertThat(only.points()).as("one assignment, all at 1410 MHz").hasSize(1);
            assertThat(only.fastest().energyJoules()).as("the curves' price").isGreaterThan(plan.baselineJoules());

            assertThat(plan.atMaximumFrequency()).isTrue();
            assertThat(plan.point()).isEqualTo(only.fastest());
            assertThat(plan.frequenciesMhz()).hasSize(8).containsOnly(1410);
            assertThat(plan.energyJoules()).isEqualTo(plan.baselineJoules());
            assertThat(plan.measuredEnergyJoules()).isEqualTo(plan.baselineJoules());
            assertThat(plan.savingPercent()).isZero();
            assertThat(plan.computationEnergyJoules())
                    .isCloseTo(plan.baselineJoules() - 2 * plan.deadlineSeconds() * 80, within(1e-9));
        }
    }

    @Test
    void aStragglerFasterThanThePipelineIsAUserError() {
        assertThatThrownBy(() -> PlanChoice.choose(frontier, profile, new Deadline.Straggler(2.5)))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("below this pipeline's fastest 2.818 s");
    }
}
