package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What every frontier must satisfy, on pipelines too large to search exhaustively. */
class FrontierPropertiesTest {

    /**
     * 40 pipelines: every range at its minimum and every range at its maximum under each schedule,
     * then random ones with 1–6 stages, 1–10 microbatches, 2–8 frequencies (inclusive) and
     * blocking power in [0, 2] W, drawn from a fixed seed, as are the profile seeds.
     */
    static List<Arguments> pipelines() {
        Random random = new Random(0x5EED_F407L);
        List<Arguments> cases = new ArrayList<>();
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            cases.add(Arguments.of(1, 1, schedule, random.nextLong(), 2, 0.0));
            cases.add(Arguments.of(6, 10, schedule, random.nextLong(), 8, 2.0));
        }
        PipelineSchedule[] schedules = PipelineSchedule.values();
        while (cases.size() < 40) {
            cases.add(Arguments.of(random.nextInt(1, 6 + 1), random.nextInt(1, 10 + 1),
                    schedules[random.nextInt(schedules.length)], random.nextLong(),
                    random.nextInt(2, 8 + 1), random.nextDouble(0, 2)));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}, seed {3}, {4} frequencies, {5} W blocking")
    @MethodSource("pipelines")
    void endsStepsAndEnergyAreConsistent(int stages, int microbatches, PipelineSchedule schedule, long seed,
                                         int frequencies, double blockingWatts) {
        FittedProfile fitted = FittedProfile.fit(ConvexProfiles.random(seed, stages, frequencies, blockingWatts),
                ConvexProfiles.TAU, blockingWatts);
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        Frontier frontier = PhillipsDessouky.frontier(dag, fitted);
        int n = dag.size();

        long[] fastest = new long[n];
        long[] leastEnergy = new long[n];
        double leastEnergyJoules = 0;
        for (int i = 0; i < n; i++) {
            TimeEnergyCurve curve = frontier.curve(i);
            fastest[i] = curve.minQuanta();
            leastEnergy[i] = curve.leastEnergyQuanta();
            leastEnergyJoules += curve.energy(leastEnergy[i]);
        }
        assertThat(frontier.fastest().quanta()).as("fastest = every computation at its fastest")
                .isEqualTo(Makespan.of(dag, fastest));
        assertThat(frontier.slowest().quanta()).as("slowest = the least-energy assignment")
                .isEqualTo(Makespan.of(dag, leastEnergy));
        assertThat(frontier.slowest().computationEnergyJoules()).isCloseTo(leastEnergyJoules, within(1e-9));

        List<FrontierPoint> points = frontier.points();
        for (int k = 1; k < points.size(); k++) {
            assertThat(points.get(k).quanta()).isEqualTo(points.get(k - 1).quanta() - 1);
            assertThat(points.get(k).computationEnergyJoules()).as("speeding up never saves energy on convex curves")
                    .isGreaterThanOrEqualTo(points.get(k - 1).computationEnergyJoules() - 1e-9);
        }
        for (int k = 0; k < points.size(); k += Math.max(1, points.size() / 7)) {
            long[] durations = frontier.durations(k);
            double energy = 0;
            long[] measured = new long[n];
            for (int i = 0; i < n; i++) {
                TimeEnergyCurve curve = frontier.curve(i);
                assertThat(durations[i]).isBetween(curve.minQuanta(), curve.maxQuanta());
                energy += curve.energy(durations[i]);
                measured[i] = curve.optionFor(durations[i]).quanta();
                assertThat(frontier.frequencies(k)[i]).isEqualTo(curve.optionFor(durations[i]).frequencyMhz());
            }
            assertThat(Makespan.of(dag, durations)).isEqualTo(points.get(k).quanta());
            assertThat(Makespan.of(dag, measured)).isLessThanOrEqualTo(points.get(k).quanta());
            assertThat(points.get(k).computationEnergyJoules()).isCloseTo(energy, within(1e-6));
            assertThat(points.get(k).energyJoules()).isCloseTo(
                    energy + stages * points.get(k).timeSeconds() * blockingWatts, within(1e-6));
        }

        List<FrontierPoint> pareto = frontier.paretoPoints();
        assertThat(pareto.get(pareto.size() - 1)).isEqualTo(frontier.fastest());
        for (int k = 1; k < pareto.size(); k++) {
            assertThat(pareto.get(k).timeSeconds()).isLessThan(pareto.get(k - 1).timeSeconds());
            assertThat(pareto.get(k).energyJoules()).as("energy never rises as the allowed time grows")
                    .isGreaterThan(pareto.get(k - 1).energyJoules());
        }
        for (FrontierPoint p : points) {
            FrontierPoint best = pareto.stream().filter(q -> q.timeSeconds() <= p.timeSeconds()).findFirst().orElseThrow();
            assertThat(best.energyJoules()).isLessThanOrEqualTo(p.energyJoules());
        }
    }
}
