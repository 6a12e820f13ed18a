package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.PerseusData;
import io.github.alpa4j.energy.profile.Profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EnergyObjectiveTest {
    private static final GpuSpec GPU = GpuSpec.a100Sxm();

    /** The Perseus authors' A100 GPT-3 8-stage pipeline, alone, at no slowdown: their frontier's choice and their 15.20 %. */
    @Test
    void aloneOnThePerseusProfileItIsPerseussChoice() {
        Profile profile = PerseusData.profile(PerseusData.A100);
        PipelineCandidate c = new PipelineCandidate("gpt3 8 stages", profile, Collections.nCopies(8, 1), 12,
                PipelineSchedule.ONE_F_ONE_B, 0, 0, 0);
        EnergyObjective.Choice choice = EnergyObjective.choose(List.of(c), 1e-3, PerseusData.A100_BLOCKING_WATTS, Dominance.RAW_ENERGY, 0);
        assertThat(choice.chosen().atMaximumFrequency()).isFalse();
        assertThat(choice.chosen().seconds()).isCloseTo(2.818, within(1e-9));
        assertThat(choice.chosen().joules()).isCloseTo(6212.85, within(0.005));
        assertThat(choice.chosenFrontier().baselineJoules()).isCloseTo(7326.61, within(0.005));
        assertThat(choice.savingPercent()).isCloseTo(15.20, within(0.005));
        List<FrequencyPlan> clocks = choice.frequencyPlans();
        assertThat(clocks).hasSize(8);
        assertThat(clocks.get(0).steps()).hasSize(24);
        assertThat(clocks.get(0).steps().get(0).instruction()).isEqualTo("F(0,0)");
        assertThat(clocks).allSatisfy(p -> assertThat(p.steps()).allMatch(s -> s.mhz() >= 855 && s.mhz() <= 1410));
    }

    /**
     * Brute force over plans and frontier points: each candidate's frontier solved on its own, every point
     * and the all-highest-clock run of every candidate priced, the least energy within (1 + S) of the
     * fastest kept. The objective chooses the same, whatever the candidates' order.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void equalsBruteForceOverPlansAndFrontierPoints(long seed) {
        Random r = new Random(seed);
        List<PipelineCandidate> candidates = new ArrayList<>();
        for (int i = 0; i < 2 + r.nextInt(3); i++) {
            candidates.add(randomCandidate(r, i));
        }
        for (double s : new double[] {0, 0.02, 0.05, 0.1, 0.5}) {
            EnergyObjective.Choice choice = EnergyObjective.choose(candidates, 2e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY, s);
            double fastest = Double.POSITIVE_INFINITY;
            List<CandidateFrontier> alone = new ArrayList<>();
            for (PipelineCandidate c : candidates) {
                CandidateFrontier f = CandidateFrontier.solve(c, 2e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY);
                alone.add(f);
                for (FrontierPoint p : f.frontier().points()) {
                    fastest = Math.min(fastest, f.iterationSeconds(p));
                }
            }
            double best = Double.POSITIVE_INFINITY;
            int bestPlan = -1;
            for (int c = 0; c < alone.size(); c++) {
                CandidateFrontier f = alone.get(c);
                if (f.fastestSeconds() <= (1 + s) * fastest + 1e-9 && f.baselineJoules() < best) {
                    best = f.baselineJoules();
                    bestPlan = c;
                }
                for (FrontierPoint p : f.frontier().points()) {
                    if (f.iterationSeconds(p) <= (1 + s) * fastest + 1e-9 && f.iterationJoules(p) < best) {
                        best = f.iterationJoules(p);
                        bestPlan = c;
                    }
                }
            }
            assertThat(choice.fastestSeconds()).as("seed %d S %s", seed, s).isCloseTo(fastest, within(1e-12));
            assertThat(choice.chosen().joules()).as("seed %d S %s", seed, s).isCloseTo(best, within(1e-9 * best));
            assertThat(choice.chosen().candidate()).isEqualTo(bestPlan);
            assertThat(choice.chosen().seconds()).isLessThanOrEqualTo((1 + s) * fastest + 1e-9);
            // the same choice from the candidates in reverse
            List<PipelineCandidate> reversed = new ArrayList<>(candidates);
            Collections.reverse(reversed);
            EnergyObjective.Choice again = EnergyObjective.choose(reversed, 2e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY, s);
            assertThat(again.chosen().joules()).isCloseTo(best, within(1e-9 * best));
        }
    }

    /** More slowdown allowed never costs energy; the choice never burns more than the fastest plan at full clocks. */
    @Test
    void moreSlowdownNeverCostsEnergy() {
        Random r = new Random(42);
        List<PipelineCandidate> candidates = List.of(randomCandidate(r, 0), randomCandidate(r, 1), randomCandidate(r, 2));
        double previous = Double.POSITIVE_INFINITY;
        for (double s : new double[] {0, 0.02, 0.05, 0.1, 0.2}) {
            EnergyObjective.Choice c = EnergyObjective.choose(candidates, 2e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY, s);
            assertThat(c.chosen().joules()).isLessThanOrEqualTo(previous);
            previous = c.chosen().joules();
            CandidateFrontier fastest = c.frontiers().stream().filter(f -> f.fastestSeconds() == c.fastestSeconds()).findFirst().orElseThrow();
            assertThat(c.chosen().joules()).isLessThanOrEqualTo(fastest.baselineJoules());
        }
    }

    /** A stage on n GPUs costs n times one GPU's effective energy: the mesh counts, not the DAG node. */
    @Test
    void aStageOnMoreGpusCostsThemAll() {
        Profile p = DvfsEnergyModel.profileOfTimes(GPU, List.of(new InstructionTime(0.01, 0.002)), List.of(new InstructionTime(0.02, 0.004)));
        PipelineCandidate one = new PipelineCandidate("1", p, List.of(1), 4, PipelineSchedule.ONE_F_ONE_B, 0.001, 0.3, 100);
        PipelineCandidate four = new PipelineCandidate("4", p, List.of(4), 4, PipelineSchedule.ONE_F_ONE_B, 0.001, 1.2, 100);
        CandidateFrontier a = CandidateFrontier.solve(one, 1e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY);
        CandidateFrontier b = CandidateFrontier.solve(four, 1e-4, GPU.staticWatts(), Dominance.EFFECTIVE_ENERGY);
        assertThat(b.baselineJoules()).isCloseTo(4 * a.baselineJoules(), within(1e-9 * b.baselineJoules()));
        assertThat(b.fastestSeconds()).isEqualTo(a.fastestSeconds());
    }

    @Test
    void refusesASlowdownOutOfRange() {
        PipelineCandidate c = randomCandidate(new Random(1), 0);
        assertThatThrownBy(() -> EnergyObjective.choose(List.of(c), 1e-4, 80, Dominance.EFFECTIVE_ENERGY, -0.1))
                .isInstanceOf(EnergyInputException.class).hasMessageContaining("--max-slowdown");
        assertThatThrownBy(() -> EnergyObjective.choose(List.of(c), 1e-4, 80, Dominance.EFFECTIVE_ENERGY, Double.NaN))
                .isInstanceOf(EnergyInputException.class);
    }

    /** 1-3 stages of 1, 2 or 4 GPUs, 1-4 microbatches, stage times a few milliseconds, part of them clock-bound. */
    private static PipelineCandidate randomCandidate(Random r, int i) {
        int stages = 1 + r.nextInt(3);
        List<InstructionTime> fwd = new ArrayList<>();
        List<InstructionTime> bwd = new ArrayList<>();
        List<Integer> devices = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            double t = 0.002 + 0.004 * r.nextDouble();
            double f = 0.3 + 0.65 * r.nextDouble();
            fwd.add(new InstructionTime(f * t, (1 - f) * t));
            bwd.add(new InstructionTime(2 * f * t, 2 * (1 - f) * t));
            devices.add(1 << r.nextInt(3));
        }
        Profile p = DvfsEnergyModel.profileOfTimes(GPU, fwd, bwd);
        return new PipelineCandidate("candidate " + i, p, devices, 1 + r.nextInt(4), PipelineSchedule.ONE_F_ONE_B,
                0.001 * r.nextDouble(), 0.5 * r.nextDouble(), 1000);
    }
}
