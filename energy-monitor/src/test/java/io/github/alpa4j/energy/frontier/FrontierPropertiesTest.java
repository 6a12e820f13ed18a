package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.TimeEnergyCurve;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What every frontier must satisfy, on pipelines too large to search exhaustively. */
class FrontierPropertiesTest {

    @Property(tries = 40)
    void endsStepsAndEnergyAreConsistent(@ForAll @IntRange(min = 1, max = 6) int stages,
                                         @ForAll @IntRange(min = 1, max = 10) int microbatches,
                                         @ForAll PipelineSchedule schedule, @ForAll long seed,
                                         @ForAll @IntRange(min = 2, max = 8) int frequencies,
                                         @ForAll @DoubleRange(min = 0, max = 2) double blockingWatts) {
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
