package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LongestPathsTest {

    /**
     * 100 pipelines: the smallest and the largest under each schedule, then random ones with 1–6
     * stages and 1–8 microbatches (inclusive), drawn from a fixed seed, as are the duration seeds.
     */
    static List<Arguments> pipelines() {
        Random random = new Random(0x5EED_10E6L);
        List<Arguments> cases = new ArrayList<>();
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            cases.add(Arguments.of(1, 1, schedule, random.nextLong()));
            cases.add(Arguments.of(6, 8, schedule, random.nextLong()));
        }
        PipelineSchedule[] schedules = PipelineSchedule.values();
        while (cases.size() < 100) {
            cases.add(Arguments.of(random.nextInt(1, 6 + 1), random.nextInt(1, 8 + 1),
                    schedules[random.nextInt(schedules.length)], random.nextLong()));
        }
        return cases;
    }

    @ParameterizedTest(name = "{0} stages, {1} microbatches, {2}, seed {3}")
    @MethodSource("pipelines")
    void incrementalUpdatesAgreeWithRecomputingFromScratch(int stages, int microbatches, PipelineSchedule schedule,
                                                           long seed) {
        PipelineDag dag = PipelineDag.build(stages, microbatches, schedule);
        Random random = new Random(seed);
        long[] durations = new long[dag.size()];
        for (int i = 0; i < durations.length; i++) {
            durations[i] = 5 + random.nextInt(20);
        }
        LongestPaths paths = new LongestPaths(dag, durations);
        int[] changed = new int[dag.size()];
        for (int round = 0; round < 30; round++) {
            int count = 1 + random.nextInt(Math.min(4, dag.size()));
            for (int k = 0; k < count; k++) {
                changed[k] = random.nextInt(dag.size());
                durations[changed[k]] = Math.max(1, durations[changed[k]] + random.nextInt(7) - 3);
            }
            paths.update(changed, count);
            LongestPaths fresh = new LongestPaths(dag, durations);
            assertThat(paths.makespan()).isEqualTo(Makespan.of(dag, durations)).isEqualTo(fresh.makespan());
            for (int v = 0; v < dag.size(); v++) {
                assertThat(paths.head(v)).isEqualTo(fresh.head(v));
                assertThat(paths.tail(v)).isEqualTo(fresh.tail(v));
            }
        }
    }
}
