package io.github.alpa4j.engine.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterJson;
import io.github.alpa4j.planner.cluster.Link;
import io.github.alpa4j.planner.cost.DeviceCost;
import io.github.alpa4j.planner.cost.OpFamily;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The profiler's fits recover the numbers of a scripted machine whose every time is known: per-op fixed
 * costs and bandwidths, matmul rates, how busy devices slow each other, and each collective's α and β,
 * through measurements with ±2 % noise.
 */
class ProfilerTest {
    /** A 2x2 mesh whose times follow known formulas, times a random factor in [0.98, 1.02]. */
    static class ScriptedBench implements Bench {
        final SplittableRandom noise = new SplittableRandom(7);

        double overhead(Op op) {
            return 2e-6 + 1e-7 * op.opName().length(); // a different fixed cost per op
        }

        double bandwidth(Op op) {
            return 1e9 * (1 + op.opName().length() % 5); // and a different bandwidth
        }

        /** FLOP/s of a product: 1e10 for large ones, less for small. */
        static double rate(int m, int n, int k, int batch) {
            double w = 2.0 * m * n * k * batch;
            return 1e10 * w / (w + 1e6);
        }

        static double alpha(CollectiveKind kind) {
            return 1e-5 * (1 + kind.ordinal());
        }

        static double beta(CollectiveKind kind) {
            return 1 / (1e9 * (1 + kind.ordinal()));
        }

        double slowdown(int busy) {
            return busy <= 2 ? 1 : busy / 2.0; // two cores
        }

        double jitter() {
            return 0.98 + 0.04 * noise.nextDouble();
        }

        @Override
        public String mesh() {
            return "2x2";
        }

        @Override
        public int devices() {
            return 4;
        }

        @Override
        public int groupSize(MeshAxes axes) {
            return axes.equals(MeshAxes.BOTH) ? 4 : 2;
        }

        @Override
        public double op(Op op, List<TensorType> in, TensorType out, int busy) {
            double t;
            if (op instanceof MatmulOp.MatMul mm) {
                int batch = (int) mm.batch(in);
                t = op.flops(in, out) / rate(mm.m(in), mm.n(in), mm.k(in), batch);
            } else {
                t = overhead(op) + (op.bytesRead(in) + op.bytesWritten(out)) / bandwidth(op);
            }
            return t * slowdown(busy) / slowdown(4) * jitter();
        }

        @Override
        public double collective(CollectiveKind kind, MeshAxes axes, long bytes) {
            return (alpha(kind) + beta(kind) * Profiler.factor(kind, groupSize(axes)) * bytes) * jitter();
        }

        @Override
        public double sendRecv(long bytes) {
            return (3e-6 + bytes / 5e9) * jitter();
        }
    }

    @Test
    void fitsRecoverTheScriptedMachine() {
        ScriptedBench b = new ScriptedBench();
        MeasuredProfile p = Profiler.run(b, Profiler.Design.standard(), (done, total, what) -> assertThat(done).isLessThan(total));
        // every op's fixed cost and bandwidth
        Profiler.cases().values().forEach(cases -> cases.forEach(make -> {
            Op op = make.apply(1 << 16).op();
            Fit f = p.ops().get(op.opName());
            assertThat(f.a()).as("%s fixed cost", op.opName()).isCloseTo(b.overhead(op), within(0.15 * b.overhead(op)));
            assertThat(1 / f.b()).as("%s bandwidth", op.opName()).isCloseTo(b.bandwidth(op), within(0.05 * b.bandwidth(op)));
            assertThat(f.residual()).isLessThan(0.03);
        }));
        // matmul rates at the grid's points, and between them
        DeviceCost cost = p.deviceCost(DType.F32, "scripted");
        for (int[] s : new int[][] {{16, 16, 16, 1}, {64, 256, 16, 16}, {256, 256, 256, 1}, {128, 32, 512, 4}}) {
            double want = ScriptedBench.rate(s[0], s[1], s[2], s[3]);
            assertThat(cost.matmulRates(DType.F32).flopsPerSecond(s[0], s[1], s[2], s[3])).as("rate of %s", java.util.Arrays.toString(s))
                    .isCloseTo(want, within(0.2 * want));
        }
        // two cores: one or two busy devices run at twice the speed of four
        assertThat(p.contention().profiled()).isEqualTo(4);
        assertThat(p.contention().computeFactor(2)).isCloseTo(0.5, within(0.03));
        assertThat(p.contention().memoryFactor(1)).isCloseTo(0.5, within(0.03));
        assertThat(p.contention().memoryFactor(8)).isCloseTo(2.0, within(0.1));
        // every collective kind, over every set of axes and pooled
        for (CollectiveKind kind : Profiler.fitted()) {
            for (String key : List.of(kind.code(), kind.code() + "@0", kind.code() + "@1", kind.code() + "@01")) {
                Fit f = p.ownCollectives().get(key);
                assertThat(f.a()).as("%s alpha", key).isCloseTo(ScriptedBench.alpha(kind), within(0.1 * ScriptedBench.alpha(kind)));
                assertThat(f.b()).as("%s beta", key).isCloseTo(ScriptedBench.beta(kind), within(0.05 * ScriptedBench.beta(kind)));
            }
        }
        assertThat(p.p2p().a()).isCloseTo(3e-6, within(0.5e-6));
        assertThat(1 / p.p2p().b()).isCloseTo(5e9, within(0.25e9));
    }

    @Test
    void theRuntimesCostPerOpBeyondItsKernelIsMeasuredByAProgramAndAddedToEveryFixedCost() {
        ScriptedBench plain = new ScriptedBench();
        ScriptedBench programs = new ScriptedBench() {
            @Override
            public java.util.OptionalDouble programStep(int ops) {
                var add = new io.github.alpa4j.ir.ElementwiseOp.Binary(io.github.alpa4j.ir.ElementwiseOp.BinaryKind.ADD);
                List<TensorType> in = List.of(DispatchBench.local(), DispatchBench.local());
                double kernel = overhead(add) + (add.bytesRead(in) + add.bytesWritten(add.infer(in))) / bandwidth(add);
                return java.util.OptionalDouble.of(30e-6 + ops * (kernel + 2e-6));
            }
        };
        MeasuredProfile without = Profiler.run(plain, Profiler.Design.standard(), (done, total, what) -> { });
        MeasuredProfile with = Profiler.run(programs, Profiler.Design.standard(), (done, total, what) -> { });
        assertThat(without.dispatch()).isZero();
        assertThat(with.dispatch()).isCloseTo(2e-6, within(0.1e-6));
        for (OpFamily f : OpFamily.values()) {
            assertThat(with.families().get(f).a() - without.families().get(f).a()).as("%s", f).isCloseTo(2e-6, within(0.5e-6));
        }
        assertThat(with.ops().get("gelu").a() - without.ops().get("gelu").a()).isCloseTo(2e-6, within(0.5e-6));
    }

    @Test
    void theClusterFileKeepsEveryMeasuredNumber() {
        MeasuredProfile p = Profiler.run(new ScriptedBench(), Profiler.Design.standard(), (done, total, what) -> { });
        Cluster c = p.cluster("scripted", "scripted-device", 8, 1L << 30, DType.F32, "scripted");
        Cluster back = ClusterJson.parse(ClusterJson.toJson(p.json(c, java.util.Map.of("machine", "test"))), "test");
        DeviceCost a = c.gpu().cost();
        DeviceCost r = back.gpu().cost();
        for (OpFamily f : OpFamily.values()) {
            assertThat(r.throughput(f).bytesPerSecond()).isCloseTo(a.throughput(f).bytesPerSecond(), within(1e-6 * a.throughput(f).bytesPerSecond()));
            assertThat(r.throughput(f).overheadSeconds()).isCloseTo(a.throughput(f).overheadSeconds(), within(1e-12));
        }
        assertThat(r.ops().keySet()).isEqualTo(a.ops().keySet());
        assertThat(r.matmulRates(DType.F32).flopsPerSecond(100, 200, 300, 2))
                .isCloseTo(a.matmulRates(DType.F32).flopsPerSecond(100, 200, 300, 2), within(1e-3));
        assertThat(r.contention().computeFactor(3)).isCloseTo(a.contention().computeFactor(3), within(1e-9));
        Link ar = back.comm().link("all-reduce", "01", "2x2").orElseThrow();
        assertThat(ar.alpha()).isCloseTo(c.comm().link("all-reduce", "01", "2x2").orElseThrow().alpha(), within(1e-12));
        assertThat(back.comm().p2p().beta()).isCloseTo(c.comm().p2p().beta(), within(1e-18));
    }
}
