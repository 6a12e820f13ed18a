package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LongestPathsTest {

    @Property(tries = 100)
    void incrementalUpdatesAgreeWithRecomputingFromScratch(@ForAll @IntRange(min = 1, max = 6) int stages,
                                                           @ForAll @IntRange(min = 1, max = 8) int microbatches,
                                                           @ForAll PipelineSchedule schedule, @ForAll long seed) {
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
