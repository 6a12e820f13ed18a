package io.github.alpa4j.planner.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.DimSharding;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReshardingTest {
    private static final DeviceMesh MESH = Meshes.mesh(2, 4);
    private static final TensorType T = TensorType.f32(8, 16);
    private static final AlphaBetaModel AB = new AlphaBetaModel(MESH);

    private static Resharding reshard(String from, String to) {
        return Resharding.between(ShardingSpec.parse(from), ShardingSpec.parse(to), T, MESH);
    }

    @Test
    void replicatedToSplitIsAFreeSlice() {
        Resharding r = reshard("RR", "S0S1");
        assertThat(r.collectives()).isEmpty();
        assertThat(r.cost()).isZero();
        assertThat(r.steps()).containsExactly(new ReshardStep.Slice(MeshAxes.AXIS0, 0), new ReshardStep.Slice(MeshAxes.AXIS1, 1));
    }

    @Test
    void splitToReplicatedIsAnAllGatherOfTheWholeTensor() {
        Resharding r = reshard("S0R", "RR");
        assertThat(r.steps()).containsExactly(new Collective.AllGather(MeshAxes.AXIS0, 0, 8 * 16 * 4));
        assertThat(r.cost()).isEqualTo(1e-5 + 1e-8 * 0.5 * 512);
    }

    @Test
    void movingASplitToAnotherDimensionIsAnAllToAll() {
        Resharding r = reshard("S1R", "RS1");
        assertThat(r.steps()).containsExactly(new Collective.AllToAll(MeshAxes.AXIS1, 0, 1, 8 * 16 * 4 / 4));
        // α + β·(n−1)/n²·B·n/2 with n = 4, B = 128
        assertThat(r.cost()).isEqualTo(1e-5 + 1e-9 * 3.0 / 16 * 128 * 2);
    }

    @Test
    void partialSumsAreAllReducedOrReduceScattered() {
        assertThat(reshard("RR+P1", "RR").steps()).containsExactly(
                new Collective.AllReduce(MeshAxes.AXIS1, 512, Collective.ReduceOp.SUM));
        assertThat(reshard("RR+P1", "RS1").steps()).containsExactly(new Collective.ReduceScatter(MeshAxes.AXIS1, 1, 512));
        assertThat(reshard("RR+P01", "S01R").steps()).containsExactly(new Collective.ReduceScatter(MeshAxes.BOTH, 0, 512));
    }

    @Test
    void bothAxesGatherInOneCollectiveOverAllDevices() {
        Resharding r = reshard("S01R", "RR");
        assertThat(r.steps()).containsExactly(new Collective.AllGather(MeshAxes.BOTH, 0, 512));
        // over both axes: the larger α and β, n = 8
        assertThat(r.cost()).isEqualTo(1e-5 + 1e-8 * 7.0 / 8 * 512);
        assertThat(reshard("S01R", "S0R").steps()).containsExactly(new Collective.AllGather(MeshAxes.AXIS1, 0, 512 / 2));
    }

    @Test
    void aPartialTargetIsRejected() {
        assertThatThrownBy(() -> reshard("RR", "RR+P0")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Runs the steps on simulated devices, each holding a map from global index to value (partial
     * values as random parts that sum to the true value), and checks that every device ends with
     * exactly its block of the target layout, summed.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void stepsProduceTheTargetShardsOnEveryDevice(int seed) {
        Random rnd = new Random(seed);
        DeviceMesh[] meshes = {Meshes.mesh(2, 4), Meshes.mesh(2, 2), Meshes.mesh(1, 4), Meshes.mesh(4, 2)};
        TensorType[] types = {TensorType.f32(8, 8), TensorType.f32(4, 8, 8), TensorType.f32(16)};
        for (int trial = 0; trial < 150; trial++) {
            DeviceMesh mesh = meshes[rnd.nextInt(meshes.length)];
            TensorType t = types[rnd.nextInt(types.length)];
            ShardingSpec from = randomSpec(rnd, t, mesh, true);
            ShardingSpec to = randomSpec(rnd, t, mesh, false);
            Resharding r = Resharding.between(from, to, t, mesh);
            Simulation sim = new Simulation(t.shape().dims(), mesh, from, rnd);
            for (ReshardStep s : r.steps()) {
                sim.apply(s);
            }
            sim.assertHolds(to, "from " + from + " to " + to + " on " + mesh + " via " + r.steps());
        }
    }

    static ShardingSpec randomSpec(Random rnd, TensorType t, DeviceMesh mesh, boolean partialAllowed) {
        while (true) {
            DimSharding[] d = new DimSharding[t.rank()];
            java.util.Arrays.fill(d, DimSharding.R);
            int partial = 0;
            for (int a = 0; a < 2; a++) {
                if (mesh.size(a) == 1) {
                    continue;
                }
                int where = rnd.nextInt(t.rank() + (partialAllowed ? 2 : 1)) - 1;
                if (where == t.rank()) {
                    partial |= 1 << a;
                } else if (where >= 0) {
                    d[where] = DimSharding.of(d[where].axes().union(MeshAxes.of(a)));
                }
            }
            ShardingSpec s = new ShardingSpec(List.of(d), new MeshAxes(partial));
            if (s.fits(t.shape(), mesh)) {
                return s;
            }
        }
    }

    /** Per-device maps from flat global index to value, and per-device index ranges per dimension. */
    private static final class Simulation {
        private final int[] dims;
        private final DeviceMesh mesh;
        private final List<Map<Integer, Long>> values = new ArrayList<>();
        private final List<int[][]> ranges = new ArrayList<>();

        Simulation(int[] dims, DeviceMesh mesh, ShardingSpec from, Random rnd) {
            this.dims = dims;
            this.mesh = mesh;
            int n = mesh.deviceCount();
            for (int d = 0; d < n; d++) {
                ranges.add(expected(from, d));
                values.add(new HashMap<>());
            }
            // partial: each group of devices along the partial axes holds random parts summing to the value
            for (int d = 0; d < n; d++) {
                for (int idx : indices(ranges.get(d))) {
                    List<Integer> group = group(d, from.partial());
                    if (group.get(0) != d) {
                        continue;
                    }
                    long rest = truth(idx);
                    for (int k = 0; k < group.size(); k++) {
                        long part = k == group.size() - 1 ? rest : rnd.nextInt(1000) - 500;
                        rest -= part;
                        values.get(group.get(k)).put(idx, part);
                    }
                }
            }
        }

        static long truth(int idx) {
            return 7L * idx + 3;
        }

        int coord(int device, int axis) {
            return axis == 0 ? device / mesh.cols() : device % mesh.cols();
        }

        /** Devices that differ from {@code d} only along {@code axes}, in mesh order (axis 0 major). */
        List<Integer> group(int d, MeshAxes axes) {
            List<Integer> g = new ArrayList<>();
            for (int e = 0; e < mesh.deviceCount(); e++) {
                boolean same = true;
                for (int a = 0; a < 2; a++) {
                    if (!axes.contains(a) && coord(e, a) != coord(d, a)) {
                        same = false;
                    }
                }
                if (same) {
                    g.add(e);
                }
            }
            return g;
        }

        /** Position of {@code d} in its group along {@code axes} (axis 0 major). */
        int position(int d, MeshAxes axes) {
            int p = 0;
            for (int a = 0; a < 2; a++) {
                if (axes.contains(a)) {
                    p = p * mesh.size(a) + coord(d, a);
                }
            }
            return p;
        }

        int[][] expected(ShardingSpec s, int d) {
            int[][] r = new int[dims.length][];
            for (int i = 0; i < dims.length; i++) {
                MeshAxes ax = s.dim(i).axes();
                int n = ax.size(mesh);
                int len = dims[i] / n;
                int p = position(d, ax);
                r[i] = new int[] {p * len, (p + 1) * len};
            }
            return r;
        }

        List<Integer> indices(int[][] r) {
            List<Integer> out = new ArrayList<>();
            collect(r, 0, 0, out);
            return out;
        }

        private void collect(int[][] r, int dim, int base, List<Integer> out) {
            if (dim == dims.length) {
                out.add(base);
                return;
            }
            for (int i = r[dim][0]; i < r[dim][1]; i++) {
                collect(r, dim + 1, base * dims[dim] + i, out);
            }
        }

        /** Keeps the block of dimension {@code dim} along {@code axes}, as the new innermost split. */
        void split(int d, int dim, MeshAxes axes) {
            int[] range = ranges.get(d)[dim];
            int n = axes.size(mesh);
            int len = (range[1] - range[0]) / n;
            int lo = range[0] + position(d, axes) * len;
            ranges.get(d)[dim] = new int[] {lo, lo + len};
        }

        /** The union of the group's ranges along {@code dim}: the split along {@code axes} is undone. */
        void gather(int d, int dim, MeshAxes axes, List<int[][]> before) {
            int lo = Integer.MAX_VALUE;
            int hi = 0;
            for (int e : group(d, axes)) {
                lo = Math.min(lo, before.get(e)[dim][0]);
                hi = Math.max(hi, before.get(e)[dim][1]);
            }
            ranges.get(d)[dim] = new int[] {lo, hi};
        }

        void apply(ReshardStep s) {
            List<Map<Integer, Long>> old = new ArrayList<>();
            values.forEach(v -> old.add(new HashMap<>(v)));
            List<int[][]> before = new ArrayList<>();
            for (int[][] r : ranges) {
                int[][] c = new int[r.length][];
                for (int i = 0; i < r.length; i++) {
                    c[i] = r[i].clone();
                }
                before.add(c);
            }
            for (int d = 0; d < mesh.deviceCount(); d++) {
                Map<Integer, Long> v = values.get(d);
                switch (s) {
                    case ReshardStep.Slice sl -> split(d, sl.dim(), sl.axes());
                    case Collective.AllGather g -> {
                        gather(d, g.dim(), g.axes(), before);
                        group(d, g.axes()).forEach(e -> v.putAll(old.get(e)));
                    }
                    case Collective.AllReduce r -> {
                        v.clear();
                        for (int e : group(d, r.axes())) {
                            old.get(e).forEach((k, x) -> v.merge(k, x, Long::sum));
                        }
                    }
                    case Collective.ReduceScatter r -> {
                        v.clear();
                        for (int e : group(d, r.axes())) {
                            old.get(e).forEach((k, x) -> v.merge(k, x, Long::sum));
                        }
                        split(d, r.dim(), r.axes());
                    }
                    case Collective.AllToAll a -> {
                        gather(d, a.fromDim(), a.axes(), before);
                        group(d, a.axes()).forEach(e -> v.putAll(old.get(e)));
                        split(d, a.toDim(), a.axes());
                    }
                }
                v.keySet().retainAll(indices(ranges.get(d)));
            }
        }

        void assertHolds(ShardingSpec to, String what) {
            for (int d = 0; d < mesh.deviceCount(); d++) {
                assertThat(ranges.get(d)).as(what + ", device " + d).isDeepEqualTo(expected(to, d));
                Map<Integer, Long> want = new HashMap<>();
                for (int idx : indices(expected(to, d))) {
                    want.put(idx, truth(idx));
                }
                assertThat(values.get(d)).as(what + ", device " + d).isEqualTo(want);
            }
        }
    }
}
