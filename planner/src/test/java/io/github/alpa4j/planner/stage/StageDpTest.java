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

    /**
     * Two ways to run each (layers, submesh): a time per microbatch, an update time, and the most
     * microbatches that fit (0: none); the table offers the fastest way within the update bound.
     */
    record RandomTable(int layers, List<Submesh> submeshes, double[][][][] t, double[][][][] u, int[][][][] fits)
            implements StageCostTable {
        static RandomTable of(long seed) {
            Random r = new Random(seed);
            int layers = 1 + r.nextInt(6);
            List<Submesh> meshes = r.nextBoolean()
                    ? List.of(new Submesh(1, 1), new Submesh(1, 2), new Submesh(1, 4), new Submesh(1, 8))
                    : List.of(new Submesh(1, 1), new Submesh(1, 2), new Submesh(1, 4), new Submesh(2, 4));
            double[][][][] t = new double[layers][layers][meshes.size()][2];
            double[][][][] u = new double[layers][layers][meshes.size()][2];
            int[][][][] fits = new int[layers][layers][meshes.size()][2];
            for (int i = 0; i < layers; i++) {
                for (int j = i; j < layers; j++) {
                    for (int m = 0; m < meshes.size(); m++) {
                        for (int w = 0; w < 2; w++) {
                            // mostly faster on more devices, with ties and exceptions; coarse values make ties common
                            t[i][j][m][w] = (1 + r.nextInt(8)) * (j - i + 1) / (double) (1 + r.nextInt(meshes.get(m).devices()));
                            u[i][j][m][w] = r.nextInt(4) * (j - i + 1) / 2.0;
                            fits[i][j][m][w] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(6);
                        }
                    }
                }
            }
            return new RandomTable(layers, meshes, t, u, fits);
        }

        /** The way {@link #time} picks, or -1. */
        int way(int first, int last, int submesh, int inflight, double maxUpdate) {
            int best = -1;
            for (int w = 0; w < 2; w++) {
                if (inflight <= fits[first][last][submesh][w] && u[first][last][submesh][w] <= maxUpdate
                        && (best < 0 || t[first][last][submesh][w] < t[first][last][submesh][best]
                        || t[first][last][submesh][w] == t[first][last][submesh][best]
                        && u[first][last][submesh][w] < u[first][last][submesh][best])) {
                    best = w;
                }
            }
            return best;
        }

        @Override
        public double time(int first, int last, int submesh, int inflight, double maxUpdate) {
            int w = way(first, last, submesh, inflight, maxUpdate);
            return w < 0 ? Double.POSITIVE_INFINITY : t[first][last][submesh][w];
        }

        @Override
        public double update(int first, int last, int submesh, int inflight, double maxUpdate) {
            int w = way(first, last, submesh, inflight, maxUpdate);
            return w < 0 ? Double.POSITIVE_INFINITY : u[first][last][submesh][w];
        }

        @Override
        public double[] candidateTimes() {
            return Arrays.stream(t).flatMap(Arrays::stream).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
        }

        @Override
        public double[] candidateUpdates() {
            return Arrays.stream(u).flatMap(Arrays::stream).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream).toArray();
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
            assertThat(dp.iterationSeconds()).as("seed %d %s", seed, schedule).isCloseTo(brute, within(1e-9));
            // the stages it returns are a real assignment with that cost
            assertThat(dp.stages().get(0).first()).isZero();
            assertThat(dp.stages().get(dp.stages().size() - 1).last()).isEqualTo(table.layers() - 1);
            assertThat(dp.stages().stream().mapToInt(s -> table.submeshes().get(s.submesh()).devices()).sum()).isEqualTo(devices);
            double sum = 0;
            double max = 0;
            double update = 0;
            for (int i = 0; i < dp.stages().size(); i++) {
                StageDp.Stage s = dp.stages().get(i);
                if (i > 0) {
                    assertThat(s.first()).isEqualTo(dp.stages().get(i - 1).last() + 1);
                }
                int inflight = schedule.inflight(dp.stages().size(), microbatches, i);
                assertThat(s.inflight()).isEqualTo(inflight);
                assertThat(s.time()).isEqualTo(table.time(s.first(), s.last(), s.submesh(), inflight, s.maxUpdate()));
                assertThat(s.update()).isEqualTo(table.update(s.first(), s.last(), s.submesh(), inflight, s.maxUpdate()));
                sum += s.time();
                max = Math.max(max, s.time());
                update = Math.max(update, s.update());
            }
            assertThat(sum + (microbatches - 1) * max + update).isCloseTo(dp.iterationSeconds(), within(1e-9));
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void fixedStageCountEqualsBruteForce(long seed) {
        RandomTable table = RandomTable.of(seed);
        Random r = new Random(seed + 2);
        int devices = 1 + r.nextInt(8);
        int microbatches = 1 + r.nextInt(6);
        double any = Double.POSITIVE_INFINITY;
        for (int stages = 1; stages <= 8; stages++) {
            StageDp.Solution dp = StageDp.solve(table, devices, microbatches, PipelineSchedule.ONE_F_ONE_B, stages);
            double brute = bruteForce(table, devices, microbatches, PipelineSchedule.ONE_F_ONE_B, stages);
            if (brute == Double.POSITIVE_INFINITY) {
                assertThat(dp).as("seed %d, %d stages", seed, stages).isNull();
                continue;
            }
            assertThat(dp).as("seed %d, %d stages", seed, stages).isNotNull();
            assertThat(dp.stages()).hasSize(stages);
            assertThat(dp.iterationSeconds()).as("seed %d, %d stages", seed, stages).isCloseTo(brute, within(1e-9));
            any = Math.min(any, dp.iterationSeconds());
        }
        // the best over stage counts is the unrestricted optimum
        StageDp.Solution all = StageDp.solve(table, devices, microbatches, PipelineSchedule.ONE_F_ONE_B);
        if (all == null) {
            assertThat(any).isEqualTo(Double.POSITIVE_INFINITY);
        } else {
            assertThat(any).isCloseTo(all.iterationSeconds(), within(1e-9));
        }
    }

    @Test
    void prefersMoreStagesWhenMicrobatchesHideTheBubble() {
        // one layer: 1 s on one device, 0.6 s on two; both layers: 2 s on one, 1.1 s on two; no update
        double[][][][] t = {{{{1, 1}, {0.6, 0.6}}, {{2, 2}, {1.1, 1.1}}}, {{{0, 0}, {0, 0}}, {{1, 1}, {0.6, 0.6}}}};
        double[][][][] u = new double[2][2][2][2];
        int[][][][] fits = {{{{9, 9}, {9, 9}}, {{9, 9}, {9, 9}}}, {{{0, 0}, {0, 0}}, {{9, 9}, {9, 9}}}};
        RandomTable table = new RandomTable(2, List.of(new Submesh(1, 1), new Submesh(1, 2)), t, u, fits);
        // B = 1: one stage of both layers on 2 devices, 1.1 s, beats 1 + 1 = 2 s
        assertThat(StageDp.solve(table, 2, 1, PipelineSchedule.ONE_F_ONE_B).iterationSeconds()).isEqualTo(1.1);
        // B = 8: two 1 s stages give 2 + 7 = 9 s, one stage 8 x 1.1 = 8.8 s: still one stage
        assertThat(StageDp.solve(table, 2, 8, PipelineSchedule.ONE_F_ONE_B).stages()).hasSize(1);
        // B = 8 on 4 devices: two stages of 0.6 s each on 2 devices: 1.2 + 7 x 0.6 = 5.4 s
        StageDp.Solution four = StageDp.solve(table, 4, 8, PipelineSchedule.ONE_F_ONE_B);
        assertThat(four.iterationSeconds()).isCloseTo(5.4, within(1e-12));
        assertThat(four.stages()).extracting(StageDp.Stage::submesh).containsExactly(1, 1);
    }

    @Test
    void aSlowerStageWithAFasterUpdateCanWin() {
        // one layer on one device: 1 s per microbatch with a 10 s update, or 1.5 s with none
        double[][][][] t = {{{{1, 1.5}}}};
        double[][][][] u = {{{{10, 0}}}};
        int[][][][] fits = {{{{9, 9}}}};
        RandomTable table = new RandomTable(1, List.of(new Submesh(1, 1)), t, u, fits);
        // B = 4: 4 + 10 = 14 s against 6 s; B = 32: 32 + 10 = 42 s against 48 s
        assertThat(StageDp.solve(table, 1, 4, PipelineSchedule.ONE_F_ONE_B).iterationSeconds()).isEqualTo(6.0);
        assertThat(StageDp.solve(table, 1, 32, PipelineSchedule.ONE_F_ONE_B).iterationSeconds()).isEqualTo(42.0);
    }

    /** Every partition into contiguous stages, every submesh and every update bound per stage, using exactly {@code devices}. */
    static double bruteForce(StageCostTable t, int devices, int microbatches, PipelineSchedule schedule) {
        return bruteForce(t, devices, microbatches, schedule, 0);
    }

    /** As above with exactly {@code stages} stages (0: any). */
    static double bruteForce(StageCostTable t, int devices, int microbatches, PipelineSchedule schedule, int stages) {
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
            if (stages > 0 && ranges.size() != stages) {
                continue;
            }
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
            // every stage takes the fastest way under a common update bound; every bound is a candidate
            double best = Double.POSITIVE_INFINITY;
            for (double bound : t.candidateUpdates()) {
                double sum = 0;
                double max = 0;
                double update = 0;
                for (int i = 0; i < ranges.size(); i++) {
                    int inflight = schedule.inflight(ranges.size(), microbatches, i);
                    double x = t.time(ranges.get(i)[0], ranges.get(i)[1], mesh[i], inflight, bound);
                    sum += x;
                    max = Math.max(max, x);
                    update = Math.max(update, t.update(ranges.get(i)[0], ranges.get(i)[1], mesh[i], inflight, bound));
                }
                if (sum < Double.POSITIVE_INFINITY) {
                    best = Math.min(best, sum + (microbatches - 1) * max + update);
                }
            }
            return best;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int m = 0; m < t.submeshes().size(); m++) {
            mesh[k] = m;
            best = Math.min(best, assign(t, ranges, mesh, k + 1, devices, microbatches, schedule));
        }
        return best;
    }
}
