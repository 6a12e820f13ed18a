package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The stage DP's optimum equals brute force over every stage partition and submesh assignment. */
class StageDpTest {

    /** Random stage times, and for each (layers, submesh) the most microbatches that fit (0: none). */
    record RandomTable(int layers, List<Submesh> submeshes, double[][][] t, int[][][] fits) implements StageCostTable {
        static RandomTable of(long seed) {
            Random r = new Random(seed);
            int layers = 1 + r.nextInt(6);
            List<Submesh> meshes = r.nextBoolean()
                    ? List.of(new Submesh(1, 1), new Submesh(1, 2), new Submesh(1, 4), new Submesh(1, 8))
                    : List.of(new Submesh(1, 1), new Submesh(1, 2), new Submesh(1, 4), new Submesh(2, 4));
            double[][][] t = new double[layers][layers][meshes.size()];
            int[][][] fits = new int[layers][layers][meshes.size()];
            for (int i = 0; i < layers; i++) {
                for (int j = i; j < layers; j++) {
                    for (int m = 0; m < meshes.size(); m++) {
                        // mostly faster on more devices, with ties and exceptions; coarse values make ties common
                        t[i][j][m] = (1 + r.nextInt(8)) * (j - i + 1) / (double) (1 + r.nextInt(meshes.get(m).devices()));
                        fits[i][j][m] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(6);
                    }
                }
            }
            return new RandomTable(layers, meshes, t, fits);
        }

        @Override
        public double time(int first, int last, int submesh, int inflight) {
            return inflight <= fits[first][last][submesh] ? t[first][last][submesh] : Double.POSITIVE_INFINITY;
        }

        @Override
        public double[] candidateTimes() {
            return Arrays.stream(t).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
        }
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 300).boxed();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void equalsBruteForce(long seed) {
        RandomTable table = RandomTable.of(seed);
        Random r = new Random(seed + 1);
        int devices = 1 + r.nextInt(8);
        int microbatches = 1 + r.nextInt(6);
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            StageDp.Solution dp = StageDp.solve(table, devices, microbatches, schedule);
            double brute = bruteForce(table, devices, microbatches, schedule);
            if (brute == Double.POSITIVE_INFINITY) {
                assertThat(dp).as("seed %d %s", seed, schedule).isNull();
                continue;
            }
            assertThat(dp).as("seed %d %s", seed, schedule).isNotNull();
            assertThat(dp.pipelineSeconds()).as("seed %d %s", seed, schedule).isCloseTo(brute, within(1e-9));
            // the stages it returns are a real assignment with that cost
            assertThat(dp.stages().get(0).first()).isZero();
            assertThat(dp.stages().get(dp.stages().size() - 1).last()).isEqualTo(table.layers() - 1);
            assertThat(dp.stages().stream().mapToInt(s -> table.submeshes().get(s.submesh()).devices()).sum()).isEqualTo(devices);
            double sum = 0;
            double max = 0;
            for (int i = 0; i < dp.stages().size(); i++) {
                StageDp.Stage s = dp.stages().get(i);
                if (i > 0) {
                    assertThat(s.first()).isEqualTo(dp.stages().get(i - 1).last() + 1);
                }
                int inflight = schedule.inflight(dp.stages().size(), microbatches, i);
                assertThat(s.inflight()).isEqualTo(inflight);
                assertThat(s.time()).isEqualTo(table.time(s.first(), s.last(), s.submesh(), inflight));
                sum += s.time();
                max = Math.max(max, s.time());
            }
            assertThat(sum + (microbatches - 1) * max).isCloseTo(dp.pipelineSeconds(), within(1e-9));
        }
    }

    @Test
    void prefersMoreStagesWhenMicrobatchesHideTheBubble() {
        // two layers, each 1 s on one device or 0.6 s for both on two devices... as a table
        RandomTable t = new RandomTable(2, List.of(new Submesh(1, 1), new Submesh(1, 2)),
                new double[][][] {{{1, 0.6}, {2, 1.1}}, {{0, 0}, {1, 0.6}}}, new int[][][] {{{9, 9}, {9, 9}}, {{0, 0}, {9, 9}}});
        // B = 1: one stage of both layers on 2 devices, 1.1 s, beats 1 + 1 = 2 s
        assertThat(StageDp.solve(t, 2, 1, PipelineSchedule.ONE_F_ONE_B).pipelineSeconds()).isEqualTo(1.1);
        // B = 8: two 1 s stages give 2 + 7 = 9 s, one stage 8 x 1.1 = 8.8 s: still one stage
        assertThat(StageDp.solve(t, 2, 8, PipelineSchedule.ONE_F_ONE_B).stages()).hasSize(1);
        // B = 8 on 4 devices: two stages of 0.6 s each on 2 devices: 1.2 + 7 x 0.6 = 5.4 s
        StageDp.Solution four = StageDp.solve(t, 4, 8, PipelineSchedule.ONE_F_ONE_B);
        assertThat(four.pipelineSeconds()).isCloseTo(5.4, within(1e-12));
        assertThat(four.stages()).extracting(StageDp.Stage::submesh).containsExactly(1, 1);
    }

    /** Every partition into contiguous stages and every submesh per stage using exactly {@code devices}. */
    static double bruteForce(StageCostTable t, int devices, int microbatches, PipelineSchedule schedule) {
        int l = t.layers();
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < 1 << (l - 1); mask++) {
            List<int[]> ranges = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < l - 1; i++) {
                if ((mask >> i & 1) != 0) {
                    ranges.add(new int[] {start, i});
                    start = i + 1;
                }
            }
            ranges.add(new int[] {start, l - 1});
            best = Math.min(best, assign(t, ranges, new int[ranges.size()], 0, devices, microbatches, schedule));
        }
        return best;
    }

    private static double assign(StageCostTable t, List<int[]> ranges, int[] mesh, int k, int devices, int microbatches,
                                 PipelineSchedule schedule) {
        if (k == ranges.size()) {
            int used = IntStream.of(mesh).map(m -> t.submeshes().get(m).devices()).sum();
            if (used != devices) {
                return Double.POSITIVE_INFINITY;
            }
            double sum = 0;
            double max = 0;
            for (int i = 0; i < ranges.size(); i++) {
                double x = t.time(ranges.get(i)[0], ranges.get(i)[1], mesh[i], schedule.inflight(ranges.size(), microbatches, i));
                if (x == Double.POSITIVE_INFINITY) {
                    return x;
                }
                sum += x;
                max = Math.max(max, x);
            }
            return sum + (microbatches - 1) * max;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int m = 0; m < t.submeshes().size(); m++) {
            mesh[k] = m;
            best = Math.min(best, assign(t, ranges, mesh, k + 1, devices, microbatches, schedule));
        }
        return best;
    }
}
