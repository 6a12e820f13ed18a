package io.github.alpa4j.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The matmul table of REFERENCES §1, row by row, on [8,16] x [16,32]. */
class MatmulStrategiesTest {
    private static final DeviceMesh MESH = Meshes.mesh(2, 4);
    private static final PlannerOptions O = PlannerOptions.defaults();

    private static Map<String, ShardingStrategy> plain(DeviceMesh mesh, PlannerOptions o) {
        return OneOp.byName(OneOp.strategies(mesh, o, (b, p) -> b.matmul(p[0], p[1]),
                TensorType.f32(8, 16), TensorType.f32(16, 32)));
    }

    private static List<Collective> allReduce(MeshAxes axes, long bytes) {
        return List.of(new Collective.AllReduce(axes, bytes, Collective.ReduceOp.SUM));
    }

    @Test
    void everyRowOfTheTableInBothAxisOrders() {
        Map<String, ShardingStrategy> s = plain(MESH, O);
        // SS = SR x RS: no communication
        assertThat(s.get("S0S1 = S0R x RS1").collectives()).isEmpty();
        assertThat(s.get("S1S0 = S1R x RS0").collectives()).isEmpty();
        // SR = SS x SR: all-reduce of the [8/2, 32] output over the k axis
        assertThat(s.get("S0R = S0S1 x S1R").collectives()).isEqualTo(allReduce(MeshAxes.AXIS1, 4 * 32 * 4));
        assertThat(s.get("S1R = S1S0 x S0R").collectives()).isEqualTo(allReduce(MeshAxes.AXIS0, 2 * 32 * 4));
        // RS = RS x SS
        assertThat(s.get("RS1 = RS0 x S0S1").collectives()).isEqualTo(allReduce(MeshAxes.AXIS0, 8 * 8 * 4));
        // S01 forms: one dimension over both axes
        assertThat(s.get("S01R = S01R x RR").collectives()).isEmpty();
        assertThat(s.get("RS01 = RR x RS01").collectives()).isEmpty();
        assertThat(s.get("RR = RS01 x S01R").collectives()).isEqualTo(allReduce(MeshAxes.BOTH, 8 * 32 * 4));
        // a partial result may instead be reduce-scattered onto one output dimension
        assertThat(s.get("S0S1 = S0S1 x S1R").collectives())
                .containsExactly(new Collective.ReduceScatter(MeshAxes.AXIS1, 1, 4 * 32 * 4));
        // 4 choices (i, j, k, none) per axis, and 12 reduce-scatter endings
        assertThat(s).hasSize(16 + 12);
        assertThat(plain(MESH, O.withReduceScatter(false))).hasSize(16);
    }

    @Test
    void oneDimensionalMeshes() {
        Map<String, ShardingStrategy> s = plain(Meshes.mesh(1, 4), O.withReduceScatter(false));
        assertThat(s.keySet()).containsExactlyInAnyOrder("RR = RR x RR", "S1R = S1R x RR", "RS1 = RR x RS1", "RR = RS1 x S1R");
        assertThat(s.get("RR = RS1 x S1R").collectives()).isEqualTo(allReduce(MeshAxes.AXIS1, 8 * 32 * 4));
    }

    @Test
    void batchedForms() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.matmul(p[0], p[1]),
                TensorType.f32(4, 8, 16), TensorType.f32(4, 16, 8)));
        assertThat(s.get("S0RR = S0RR x S0RR").collectives()).isEmpty();            // Sb
        assertThat(s.get("S0S1R = S0S1R x S0RR").collectives()).isEmpty();          // SbSi
        assertThat(s.get("S0RS1 = S0RR x S0RS1").collectives()).isEmpty();          // SbSj
        assertThat(s.get("S0RR = S0RS1 x S0S1R").collectives())                     // SbR
                .isEqualTo(allReduce(MeshAxes.AXIS1, 2 * 8 * 8 * 4));
        // the broadcast form multiplies every batch row by the same rank-2 weight
        Map<String, ShardingStrategy> lin = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.matmul(p[0], p[1]),
                TensorType.f32(4, 8, 16), TensorType.f32(16, 32)));
        assertThat(lin.get("S0RS1 = S0RR x RS1").collectives()).isEmpty();
        assertThat(lin.get("S0S1R = S0S1R x RR").collectives()).isEmpty();
    }

    @Test
    void transposedOperandsSplitTheirOwnDimensions() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.matmul(p[0], p[1], true, true),
                TensorType.f32(16, 8), TensorType.f32(32, 16)));
        // C = Aᵀ·Bᵀ with i split over 0 and j over 1: A = [k, i] split on dim 1, B = [j, k] on dim 0
        assertThat(s.get("S0S1 = RS0 x S1R").collectives()).isEmpty();
    }

    @Test
    void neverSplitsFinerThanADimension() {
        var s = OneOp.strategies(Meshes.mesh(1, 4), O, (b, p) -> b.matmul(p[0], p[1]), TensorType.f32(2, 16), TensorType.f32(16, 2));
        assertThat(s).allSatisfy(st -> {
            assertThat(st.inputSpec(0).dim(0).isSplit()).isFalse();
            assertThat(st.inputSpec(1).dim(1).isSplit()).isFalse();
        });
    }

    /**
     * The test device's ideal roofline (1e14 FLOP/s, 1e12 B/s, no fixed cost): the larger of the device's share
     * of the FLOPs over the peak and of its shards' bytes over the bandwidth. A is 8x16, B 16x32, C 8x32 on 2x4.
     */
    @Test
    void computeIsTheLargerOfTheDevicesFlopsOverPeakAndItsBytesOverBandwidth() {
        Map<String, ShardingStrategy> s = plain(MESH, O);
        // S0S1: A 4x16, B 16x8, C 4x8 per device: 1024 FLOPs, 896 bytes -> memory-bound
        assertThat(s.get("S0S1 = S0R x RS1").computeCost()).isEqualTo(Math.max(2.0 * 4 * 8 * 16 / 1e14, (64 + 128 + 32) * 4 / 1e12));
        assertThat(s.get("S0S1 = S0R x RS1").computeCost()).isEqualTo(896 / 1e12);
        // RR: the whole product on every device: 8192 FLOPs, (128 + 512 + 256) * 4 bytes
        assertThat(s.get("RR = RR x RR").computeCost()).isEqualTo((128 + 512 + 256) * 4 / 1e12);
        // a product large enough to be compute-bound: 4096^3 split 8 ways (S0S1: 1.7e10 FLOPs against 58.7 MB)
        Map<String, ShardingStrategy> big = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.matmul(p[0], p[1]),
                TensorType.f32(4096, 4096), TensorType.f32(4096, 4096)));
        double flops = 2.0 * 4096 * 4096 * 4096;
        assertThat(big.get("S0S1 = S0R x RS1").computeCost()).isEqualTo(flops / 8 / 1e14);
        assertThat(big.get("RR = RR x RR").computeCost()).isEqualTo(flops / 1e14);
    }

    @Test
    void alpasZeroComputeConventionForbidsAFullyReplicatedMatmul() {
        assertThat(plain(MESH, O.withZeroComputeCost(true))).doesNotContainKey("RR = RR x RR").containsKey("S0R = S0R x RR");
    }
}
