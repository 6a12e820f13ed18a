package io.github.alpa4j.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.ConvLayers;
import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.Collective.ReduceOp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Window ops split batch and channels, never the image; a convolution (im2col, then a GEMM with a
 * [C·k·k, C_out] weight) is batch-, output-channel- or input-channel-parallel, the last partial.
 */
class PatchStrategiesTest {
    private static final DeviceMesh MESH = Meshes.mesh(2, 4);
    private static final DeviceMesh ROW = Meshes.mesh(1, 4);
    private static final PlannerOptions O = PlannerOptions.defaults();

    @Test
    void im2colSplitsBatchAndChannelsButNotTheImage() {
        var s = OneOp.strategies(MESH, O, (b, p) -> b.apply(new PatchOp.Im2Col(3, 3, 1, 1), p[0]), TensorType.f32(8, 6, 6, 8));
        assertThat(s).allSatisfy(st -> {
            assertThat(st.inputSpec(0).dim(1).isSplit()).isFalse();
            assertThat(st.inputSpec(0).dim(2).isSplit()).isFalse();
            assertThat(st.collectives()).isEmpty();
        });
        // channels split 4 ways are four contiguous blocks of the channel-major window dimension
        assertThat(OneOp.byName(s)).containsKeys("S0RRS1 = S0RRS1", "S01RRR = S01RRR", "RRRS01 = RRRS01", "S1RRS0 = S1RRS0");
        var back = OneOp.byName(OneOp.strategies(MESH, O, (b, p) -> b.apply(new PatchOp.Col2Im(6, 6, 3, 3, 1, 1), p[0]),
                TensorType.f32(8, 6, 6, 72)));
        assertThat(back.get("S0RRS1 = S0RRS1").collectives()).isEmpty();
        assertThat(back.values()).allSatisfy(st -> assertThat(st.outputSpec().dim(1).isSplit() || st.outputSpec().dim(2).isSplit()).isFalse());
    }

    @Test
    void aConvolutionSplitOverInputChannelsEndsPartial() {
        // x [4, 6, 6, 8], w [72, 16]: the GEMM after im2col contracts over channel-major windows
        var s = OneOp.byName(OneOp.strategies(ROW, O, (b, p) -> ConvLayers.conv2d(b, p[0], p[1], 3, 1, 1), TensorType.f32(4, 6, 6, 8), TensorType.f32(72, 16)));
        assertThat(s.get("RRRR = RRRS1 x S1R").collectives())
                .containsExactly(new Collective.AllReduce(MeshAxes.AXIS1, 4 * 6 * 6 * 16 * 4, ReduceOp.SUM));
        assertThat(s.get("RRRS1 = RRRR x RS1").collectives()).isEmpty();  // output channels
        assertThat(s.get("S1RRR = S1RRR x RR").collectives()).isEmpty();  // batch
    }

    @Test
    void batchNormStatisticsOfASplitBatchAreAllReduced() {
        // the mean over batch and image of a batch split 4 ways: each device sums its images, an all-reduce of [C] adds them
        Map<String, ShardingStrategy> s = OneOp.byName(OneOp.strategies(ROW, O, (b, p) -> b.reduceMean(p[0], false, 0, 1, 2),
                TensorType.f32(8, 4, 4, 16)));
        assertThat(s.get("R = S1RRR").collectives()).containsExactly(new Collective.AllReduce(MeshAxes.AXIS1, 16 * 4, ReduceOp.SUM));
    }
}
