package io.github.alpa4j.planner.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.CommProfile;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cluster.GpuSpec;
import io.github.alpa4j.planner.cluster.Link;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every cost formula against a hand computation. */
class DeviceCostTest {
    static final double PEAK = 100e12;
    static final double BW = 2e12;
    static final DeviceCost ASSUMED = DeviceCost.assumed(Map.of(DType.F32, PEAK), BW, 0.8, 5e8, 0.9, 5e-6, "test");

    @Test
    void aProductCostsItsFixedCostPlusItsFlopsAtTheRateOfItsShape() {
        var in = List.of(TensorType.f32(1024, 1024), TensorType.f32(1024, 1024));
        double w = 2.0 * 1024 * 1024 * 1024;
        double rate = PEAK * 0.8 * w / (w + 5e8);
        assertThat(ASSUMED.seconds(new MatmulOp.MatMul(false, false), in, TensorType.f32(1024, 1024))).isCloseTo(5e-6 + w / rate, within(1e-15));
        // a batched product: 8 products of 64x32 by 32x16
        var batched = List.of(TensorType.f32(8, 64, 32), TensorType.f32(8, 32, 16));
        double wb = 2.0 * 8 * 64 * 32 * 16;
        double bytes = 4.0 * (8 * 64 * 32 + 8 * 32 * 16 + 8 * 64 * 16);
        double expect = Math.max(5e-6 + wb / (PEAK * 0.8 * wb / (wb + 5e8)), 5e-6 + bytes / (0.9 * BW));
        assertThat(ASSUMED.seconds(new MatmulOp.MatMul(false, false), batched, TensorType.f32(8, 64, 16))).isCloseTo(expect, within(1e-15));
    }

    @Test
    void aMemoryBoundOpCostsItsFixedCostPlusItsBytesOverBandwidth() {
        var in = List.of(TensorType.f32(1000, 256), TensorType.f32(256));
        double bytes = 4.0 * (1000 * 256 + 256 + 1000 * 256);
        assertThat(ASSUMED.seconds(new ElementwiseOp.Binary(ElementwiseOp.BinaryKind.ADD), in, TensorType.f32(1000, 256)))
                .isCloseTo(5e-6 + bytes / (0.9 * BW), within(1e-15));
        // aliases and values that are not computed cost nothing; a constant is a fill
        assertThat(ASSUMED.seconds(new LayoutOp.Reshape(Shape.of(256000)), List.of(TensorType.f32(1000, 256)), TensorType.f32(256000))).isZero();
        assertThat(ASSUMED.seconds(new SourceOp.Parameter(TensorType.f32(10), io.github.alpa4j.ir.Init.zeros()), List.of(), TensorType.f32(10)))
                .isZero();
        assertThat(ASSUMED.seconds(new SourceOp.Constant(TensorType.f32(10), 1), List.of(), TensorType.f32(10)))
                .isCloseTo(5e-6 + 40 / (0.9 * BW), within(1e-18));
    }

    @Test
    void anOpMeasuredOnItsOwnTakesItsOwnThroughput() {
        Map<OpFamily, Throughput> families = new EnumMap<>(OpFamily.class);
        for (OpFamily f : OpFamily.values()) {
            families.put(f, new Throughput(1e-6, 1e9));
        }
        DeviceCost c = new DeviceCost(Map.of(DType.F32, new MatmulRates.Saturating(1e10, 1, 0)), families,
                Map.of("gelu", new Throughput(2e-6, 0.5e9)), null, "test");
        var x = List.of(TensorType.f32(1000));
        assertThat(c.seconds(new ElementwiseOp.Unary(ElementwiseOp.Activation.GELU), x, TensorType.f32(1000))).isCloseTo(2e-6 + 8000 / 0.5e9, within(1e-18));
        assertThat(c.seconds(new ElementwiseOp.Unary(ElementwiseOp.Activation.RELU), x, TensorType.f32(1000))).isCloseTo(1e-6 + 8000 / 1e9, within(1e-18));
    }

    @Test
    void busyDevicesSlowEachOtherAsMeasured() {
        Contention k = new Contention(4, new int[] {1, 2, 4}, new double[] {0.5, 0.5, 1}, new double[] {0.4, 0.6, 1});
        assertThat(k.saturation()).as("two devices do as much work per second as four").isEqualTo(2);
        assertThat(k.computeFactor(4)).isEqualTo(1);
        assertThat(k.computeFactor(8)).isEqualTo(2); // beyond the saturation the devices take turns
        assertThat(k.memoryFactor(1)).isEqualTo(0.4);
        assertThat(k.memoryFactor(2)).isEqualTo(0.6);
        assertThat(k.memoryFactor(3)).isCloseTo(0.9, within(1e-12)); // two devices' speed, shared by three
        assertThat(k.memoryFactor(4)).as("taking turns, not the measured 1").isCloseTo(1.2, within(1e-12));
        Contention gpus = new Contention(1, new int[] {1, 2, 4}, new double[] {1, 1, 1}, new double[] {1, 1.1, 1.3});
        assertThat(gpus.saturation()).as("devices that do not slow each other").isEqualTo(4);
        assertThat(gpus.memoryFactor(3)).isCloseTo(1.1 * Math.pow(1.3 / 1.1, Math.log(1.5) / Math.log(2)), within(1e-12));
        Map<OpFamily, Throughput> families = new EnumMap<>(OpFamily.class);
        for (OpFamily f : OpFamily.values()) {
            families.put(f, new Throughput(1e-6, 1e9));
        }
        DeviceCost c = new DeviceCost(Map.of(DType.F32, new MatmulRates.Saturating(1e10, 1, 0)), families, Map.of(), k, "test");
        DeviceCost two = c.whenBusy(2);
        assertThat(two.throughput(OpFamily.SOFTMAX).bytesPerSecond()).isCloseTo(1e9 / 0.6, within(1e-3));
        assertThat(two.throughput(OpFamily.SOFTMAX).overheadSeconds()).isCloseTo(0.6e-6, within(1e-18));
        assertThat(two.matmulRates(DType.F32).flopsPerSecond(64, 64, 64, 1)).isCloseTo(2e10, within(1e-3));
        assertThat(c.whenBusy(4).matmulRates(DType.F32).flopsPerSecond(64, 64, 64, 1)).isCloseTo(1e10, within(1e-3));
        assertThat(c.whenBusy(4).throughput(OpFamily.SOFTMAX).bytesPerSecond()).isCloseTo(1e9 / 1.2, within(1e-3));
    }

    @Test
    void aMeasuredGridIsExactAtItsPointsAndGeometricBetweenThem() {
        double[] rates = new double[8];
        for (int i = 0; i < 8; i++) {
            rates[i] = 1e9 * (1 + i);
        }
        MatmulRates.Measured g = new MatmulRates.Measured(new int[] {16, 64}, new int[] {16, 64}, new int[] {16, 64}, new int[] {1}, rates);
        assertThat(g.flopsPerSecond(16, 16, 16, 1)).isCloseTo(1e9, within(1e-3));
        assertThat(g.flopsPerSecond(64, 64, 64, 1)).isCloseTo(8e9, within(1e-3));
        assertThat(g.flopsPerSecond(64, 16, 64, 1)).isCloseTo(6e9, within(1e-3)); // index m=1, n=0, k=1: 4 + 1
        // halfway (in log size) between 16 and 64 along m: the geometric mean
        assertThat(g.flopsPerSecond(32, 16, 16, 1)).isCloseTo(Math.sqrt(1e9 * 5e9), within(1e-3));
        // beyond the grid: held at its edge
        assertThat(g.flopsPerSecond(4096, 64, 64, 7)).isCloseTo(8e9, within(1e-3));
    }

    @Test
    void measuredCollectivesPriceEachKindOnTheMeshTheyWereMeasuredOnAndPooledElsewhere() {
        GpuSpec gpu = new GpuSpec("g", Map.of(DType.F32, 1e12), 1L << 30, 1e11);
        CommProfile comm = new CommProfile("2x2", Map.of("all-reduce@01", new Link(1e-5, 1e-9), "all-reduce", new Link(2e-5, 2e-9),
                "all-gather", new Link(3e-5, 3e-9)), new Link(1e-6, 1e-10));
        Cluster c = new Cluster("c", 1, 8, gpu, Link.of(100, 1), Link.of(100, 1), comm);
        long b = 1 << 20;
        AlphaBetaModel onProfiled = new AlphaBetaModel(DeviceMesh.of(c, 2, 2));
        assertThat(onProfiled.allReduce(b, MeshAxes.BOTH)).isCloseTo(1e-5 + 1e-9 * 2 * 3 / 4.0 * b, within(1e-15));
        assertThat(onProfiled.allReduce(b, MeshAxes.AXIS0)).isCloseTo(2e-5 + 2e-9 * 2 * 1 / 2.0 * b, within(1e-15));
        AlphaBetaModel other = new AlphaBetaModel(DeviceMesh.of(c, 1, 8));
        assertThat(other.allReduce(b, MeshAxes.AXIS1)).isCloseTo(2e-5 + 2e-9 * 2 * 7 / 8.0 * b, within(1e-15));
        assertThat(other.allGather(b, MeshAxes.AXIS1)).isCloseTo(3e-5 + 3e-9 * 7 / 8.0 * b, within(1e-15));
        // a kind the profile lacks follows the mesh's links
        assertThat(other.reduceScatter(b, MeshAxes.AXIS1)).isCloseTo(100e-6 + 1e-9 * 7 / 8.0 * b, within(1e-15));
        // a mesh across hosts: the profile measured one host only
        AlphaBetaModel across = new AlphaBetaModel(DeviceMesh.of(c.withShape(2, 4), 2, 4));
        assertThat(across.allReduce(b, MeshAxes.AXIS0)).isCloseTo(100e-6 + 1e-9 * b, within(1e-15));
    }
}
