package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.ExecutionOption;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frontier against the truth: on small random pipelines (up to 3 stages, 3 microbatches,
 * 4 frequencies per computation) every point's energy is within one quantum's cost of the least
 * energy any assignment of frequencies reaches within that point's time, found by exhaustive search.
 */
class PhillipsDessoukyBruteForceTest {

    /**
     * 80 pipelines: every range at its minimum and every range at its maximum under each schedule,
     * then random ones with 1–3 stages, 1–3 microbatches (inclusive) and blocking power in
     * [0, 2] W, drawn from a fixed seed, as are the profile seeds.
     */
    static List<Arguments> pipelines() {
        Random random = new Random(0x5EED_B4F7L);
        List<Arguments> cases = new ArrayList<>();
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            cases.add(Arguments.of(1, 1, schedule, random.nextLong(), 0.0));
            cases.add(Arguments.of(3, 3, schedule, random.nextLong(), 2.0));
        }
        PipelineSchedule[] schedules = PipelineSchedule.values();
        while (cases.size() < 80) {
            cases.add(Arguments.of(random.nextInt(1, 3 + 1), random.nextInt(1, 3 + 1),
                    schedules[random.nextInt(schedules.length)], random.nextLong(), random.nextDouble(0, 2)));
        }
        return cases;
    }

    static List<Arguments> firstPipelines() {
        return pipelines().subList(0, 16);
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}, seed {3}, {4} W blocking")
    @MethodSource("pipelines")
    void everyPointIsWithinOneQuantumOfTheExactOptimum(int stages, int microbatches, PipelineSchedule schedule,
                                                        long seed, double blockingWatts) {
        Profile profile = ConvexProfiles.random(seed, stages, 4, blockingWatts);
        FittedProfile fitted = FittedProfile.fit(profile, ConvexProfiles.TAU, blockingWatts);
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        assertMatchesBruteForce(PhillipsDessouky.frontier(dag, fitted), 1);
    }

    /**
     * The first 16 pipelines again with every energy in units of 2⁻³⁰ J, about a nanojoule: only
     * the ratios of energies decide the frontier, and tolerances in absolute joules blurred
     * every flow bound of such a profile into one.
     */
    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}, seed {3}, {4} W blocking, in nanojoules")
    @MethodSource("firstPipelines")
    void inNanojoulesToo(int stages, int microbatches, PipelineSchedule schedule, long seed, double blockingWatts) {
        double joules = Math.scalb(1.0, -30);
        Profile profile = ConvexProfiles.random(seed, stages, 4, blockingWatts, joules);
        FittedProfile fitted = FittedProfile.fit(profile, ConvexProfiles.TAU, blockingWatts * joules);
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        assertMatchesBruteForce(PhillipsDessouky.frontier(dag, fitted), joules);
    }

    /**
     * Steps that slow a computation down (a cut's backward arc) are rare, about one random
     * pipeline in two hundred, so the property above seldom meets one: check the first few
     * random 3 × 3 GPipe pipelines that have them.
     */
    @Test
    void stepsThatSlowComputationsDownAreOptimalToo() {
        int checked = 0;
        for (long seed = 0; seed < 5_000 && checked < 3; seed++) {
            FittedProfile fitted = FittedProfile.fit(ConvexProfiles.random(seed, 3, 4, 0), ConvexProfiles.TAU, 0);
            Frontier frontier = PhillipsDessouky.frontier(PipelineDag.build(3, 3, PipelineSchedule.GPIPE), fitted);
            if (slowsSomethingDown(frontier)) {
                assertMatchesBruteForce(frontier, 1);
                checked++;
            }
        }
        assertThat(checked).as("random pipelines with a slow-down step").isEqualTo(3);
    }

    private static boolean slowsSomethingDown(Frontier frontier) {
        for (int k = 1; k < frontier.points().size(); k++) {
            long[] before = frontier.durations(k - 1);
            long[] after = frontier.durations(k);
            for (int i = 0; i < before.length; i++) {
                if (after[i] > before[i]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @param joules the unit the profile's energies are in */
    private static void assertMatchesBruteForce(Frontier frontier, double joules) {
        PipelineDag dag = frontier.dag();
        BruteForce bruteForce = new BruteForce(dag, frontier);
        double quantumCost = largestQuantumCost(frontier);

        for (FrontierPoint point : frontier.points()) {
            long[] durations = frontier.durations(point.index());
            double planEnergy = 0;
            long[] measured = new long[dag.size()];
            for (int i = 0; i < dag.size(); i++) {
                ExecutionOption option = frontier.curve(i).optionFor(durations[i]);
                planEnergy += option.effectiveEnergyJoules();
                measured[i] = option.quanta();
            }
            assertThat(Makespan.of(dag, measured)).as("the plan's frequencies meet the point's time")
                    .isLessThanOrEqualTo(point.quanta());
            double exact = bruteForce.optimum(point.quanta(), planEnergy + 1e-9 * joules);
            assertThat(point.computationEnergyJoules()).as("point %d at %d quanta", point.index(), point.quanta())
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(quantumCost));
        }
    }

    /** The most one quantum of speed-up or slow-down costs anywhere on the fitted curves. */
    static double largestQuantumCost(Frontier frontier) {
        double largest = 0;
        for (int i = 0; i < frontier.dag().size(); i++) {
            TimeEnergyCurve curve = frontier.curve(i);
            for (long q = curve.minQuanta(); q < curve.maxQuanta(); q++) {
                largest = Math.max(largest, Math.abs(curve.energy(q) - curve.energy(q + 1)));
            }
        }
        return largest;
    }
}
