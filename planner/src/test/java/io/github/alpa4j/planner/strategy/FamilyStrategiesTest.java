package io.github.alpa4j.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.Collective.ReduceOp;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The element-wise, layout, reduction, normalisation, embedding, loss and optimizer rules. */
class FamilyStrategiesTest {
    private static final DeviceMesh MESH = Meshes.mesh(2, 4);
    private static final DeviceMesh ROW = Meshes.mesh(1, 4);
    private static final PlannerOptions O = PlannerOptions.defaults();

    @Test
    void elementwiseReadsEveryOperandInTheOutputsLayout() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.add(p[0], p[1]),
                TensorType.f32(8, 16), TensorType.f32(16)));
        // the bias is replicated along the broadcast batch dimension
        assertThat(s.get("S0S1 = S0S1 x S1").collectives()).isEmpty();
        assertThat(s.get("S01R = S01R x R").collectives()).isEmpty();
        assertThat(s).hasSize(9);
    }

    @Test
    void reshapeKeepsASplitWhoseBlocksStayWhole() {
        var s = OneOp.strategies(ROW, O, (b, p) -> b.reshape(p[0], 4, 8, 4, 4), TensorType.f32(4, 8, 16));
        // hidden 16 split 4 ways lands on the 4 heads; a split sequence does not survive the head split
        assertThat(s).extracting(ShardingStrategy::name)
                .containsExactlyInAnyOrder("RRRR = RRR", "S1RRR = S1RR", "RS1RR = RS1R", "RRS1R = RRS1");
        var merged = OneOp.strategies(ROW, O, (b, p) -> b.reshape(p[0], 32, 16), TensorType.f32(4, 8, 16));
        assertThat(merged).extracting(ShardingStrategy::name).containsExactlyInAnyOrder("RR = RRR", "S1R = S1RR", "RS1 = RRS1");
        var perm = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.permute(p[0], 1, 0), TensorType.f32(8, 16)));
        assertThat(perm).containsKey("S1S0 = S0S1");
    }

    @Test
    void reducingASplitDimensionLeavesPartialSums() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.reduceSum(p[0], false, 0),
                TensorType.f32(8, 16)));
        assertThat(s.get("R = S0R").collectives()).containsExactly(new Collective.AllReduce(MeshAxes.AXIS0, 16 * 4, ReduceOp.SUM));
        assertThat(s.get("S0 = S0R").collectives()).containsExactly(new Collective.ReduceScatter(MeshAxes.AXIS0, 0, 16 * 4));
        assertThat(s.get("S1 = S0S1").collectives()).containsExactly(new Collective.AllReduce(MeshAxes.AXIS0, 4 * 4, ReduceOp.SUM));
        assertThat(s.get("S1 = RS1").collectives()).isEmpty();
    }

    @Test
    void softmaxAndLayerNormNormaliseWholeRows() {
        var sm = OneOp.strategies(MESH, O, (b, p) -> b.softmax(p[0], false), TensorType.f32(4, 8, 16));
        assertThat(sm).allSatisfy(st -> assertThat(st.inputSpec(0).dim(2).isSplit()).isFalse());
        assertThat(sm).extracting(ShardingStrategy::name).contains("S0S1R = S0S1R");
        var ln = OneOp.strategies(MESH, O, (b, p) -> b.layerNorm(p[0], p[1], p[2], 1e-5),
                TensorType.f32(4, 8, 16), TensorType.f32(16), TensorType.f32(16));
        assertThat(ln).allSatisfy(st -> {
            assertThat(st.inputSpec(1).toString()).isEqualTo("R");
            assertThat(st.collectives()).isEmpty();
        });
    }

    @Test
    void embeddingIsVocabularyOrBatchParallel() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(ROW, O, (b, p) -> b.embedding(p[0], p[1]),
                TensorType.i32(4, 8), TensorType.f32(32, 16)));
        // vocabulary-parallel: each device looks up the rows it owns, then the partial rows are summed
        assertThat(s.get("RRR = RR x S1R").collectives())
                .containsExactly(new Collective.AllReduce(MeshAxes.AXIS1, 4 * 8 * 16 * 4, ReduceOp.SUM));
        assertThat(s.get("S1RR = S1R x RR").collectives()).isEmpty();
        var grad = OneOp.byName(OneOp.strategies(ROW, O, (b, p) -> b.apply(new io.github.alpa4j.ir.EmbeddingOp.EmbeddingGrad(32), p[0], p[1]),
                TensorType.i32(4, 8), TensorType.f32(4, 8, 16)));
        assertThat(grad.get("S1R = RR x RRR").collectives()).isEmpty();
        assertThat(grad.get("RR = S1R x S1RR").collectives())
                .containsExactly(new Collective.AllReduce(MeshAxes.AXIS1, 32 * 16 * 4, ReduceOp.SUM));
    }

    @Test
    void vocabularyParallelCrossEntropyReducesRowStatistics() {
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.crossEntropy(p[0], p[1]),
                TensorType.f32(4, 8, 32), TensorType.i32(4, 8)));
        // V split over axis 1, batch over axis 0: per local row (2·8 of them) a max and two sums over axis 1,
        // then the partial mean over axis 0
        assertThat(s.get("() = S0RS1 x S0R").collectives()).containsExactly(
                new Collective.AllReduce(MeshAxes.AXIS1, 16 * 4, ReduceOp.MAX),
                new Collective.AllReduce(MeshAxes.AXIS1, 16 * 4, ReduceOp.SUM),
                new Collective.AllReduce(MeshAxes.AXIS1, 16 * 4, ReduceOp.SUM),
                new Collective.AllReduce(MeshAxes.AXIS0, 4, ReduceOp.SUM));
        assertThat(s.get("() = RRR x RR").collectives()).isEmpty();
        var grad = OneOp.byName(OneOp.strategies(MESH, O,
                (b, p) -> b.apply(new io.github.alpa4j.ir.LossOp.CrossEntropyGrad(), p[0], p[1], b.constant(TensorType.scalarF32(), 1)),
                TensorType.f32(4, 8, 32), TensorType.i32(4, 8)));
        assertThat(grad.get("RRS01 = RRS01 x RR x ()").collectives()).containsExactly(
                new Collective.AllReduce(MeshAxes.BOTH, 32 * 4, ReduceOp.MAX),
                new Collective.AllReduce(MeshAxes.BOTH, 32 * 4, ReduceOp.SUM));
    }

    @Test
    void optimizerUpdatesKeepTheParametersLayout() {
        var s = OneOp.strategies(MESH, O, (b, p) -> b.apply(new io.github.alpa4j.ir.OptimizerOp.SgdApply(0.1), p[0], p[1]),
                TensorType.f32(8, 16), TensorType.f32(8, 16));
        assertThat(s).allSatisfy(st -> {
            assertThat(st.inputSpec(0)).isEqualTo(st.outputSpec());
            assertThat(st.inputSpec(1)).isEqualTo(st.outputSpec());
        });
        assertThat(s).hasSize(9);
    }

    @Test
    void broadcastMayLeaveItsOutputSplitAlongTheStretchedDimension() {
        var s = OneOp.byName(OneOp.strategies(ROW, O, (b, p) -> b.broadcastTo(p[0], Shape.of(8, 16)), TensorType.f32(8, 1)));
        assertThat(s.get("RS1 = RR").collectives()).isEmpty();
        assertThat(s.get("S1R = S1R").collectives()).isEmpty();
    }
}
