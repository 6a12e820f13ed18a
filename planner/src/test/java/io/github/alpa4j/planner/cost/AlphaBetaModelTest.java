package io.github.alpa4j.planner.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import org.junit.jupiter.api.Test;

/** REFERENCES §1's formulas on a 2x4 mesh: α = 10 µs; β = 10 ns/B on axis 0, 1 ns/B on axis 1. */
class AlphaBetaModelTest {
    private static final DeviceMesh MESH = Meshes.mesh(2, 4);
    private static final AlphaBetaModel M = new AlphaBetaModel(MESH);
    private static final long B = 1_000_000;

    @Test
    void allReduceMovesTwiceTheShareOfTheOthers() {
        assertThat(M.allReduce(B, MeshAxes.AXIS1)).isCloseTo(1e-5 + 1e-9 * 2 * 3 / 4.0 * B, within(1e-15));
        assertThat(M.allReduce(B, MeshAxes.AXIS0)).isCloseTo(1e-5 + 1e-8 * 2 * 1 / 2.0 * B, within(1e-15));
    }

    @Test
    void allGatherAndReduceScatterMoveTheShareOfTheOthers() {
        assertThat(M.allGather(B, MeshAxes.AXIS1)).isCloseTo(1e-5 + 1e-9 * 3 / 4.0 * B, within(1e-15));
        assertThat(M.reduceScatter(B, MeshAxes.AXIS0)).isCloseTo(1e-5 + 1e-8 / 2.0 * B, within(1e-15));
    }

    @Test
    void allToAllCarriesAlpasPenaltyFactor() {
        assertThat(M.allToAll(B, MeshAxes.AXIS1)).isCloseTo(1e-5 + 1e-9 * 3 / 16.0 * B * 2, within(1e-15));
    }

    @Test
    void bothAxesUseAllDevicesAndTheSlowerLink() {
        assertThat(M.allReduce(B, MeshAxes.BOTH)).isCloseTo(1e-5 + 1e-8 * 2 * 7 / 8.0 * B, within(1e-15));
    }

    @Test
    void anAxisOfOneDeviceCostsNothing() {
        assertThat(new AlphaBetaModel(Meshes.mesh(1, 4)).allReduce(B, MeshAxes.AXIS0)).isZero();
    }

    @Test
    void dispatchesEachCollectiveToItsFormula() {
        assertThat(M.cost(new Collective.AllGather(MeshAxes.AXIS1, 0, B))).isEqualTo(M.allGather(B, MeshAxes.AXIS1));
        assertThat(M.cost(new Collective.AllToAll(MeshAxes.AXIS1, 0, 1, B))).isEqualTo(M.allToAll(B, MeshAxes.AXIS1));
        assertThat(M.cost(new Collective.ReduceScatter(MeshAxes.AXIS0, 0, B))).isEqualTo(M.reduceScatter(B, MeshAxes.AXIS0));
        assertThat(M.cost(new Collective.AllReduce(MeshAxes.BOTH, B, Collective.ReduceOp.MAX))).isEqualTo(M.allReduce(B, MeshAxes.BOTH));
    }
}
