package io.github.alpa4j.engine.profile;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.cost.Contention;
import io.github.alpa4j.planner.cost.MatmulRates;
import io.github.alpa4j.planner.cost.OpFamily;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.LongToIntFunction;

/**
 * Alpa-style profiling of the devices a plan runs on: what each kind of work takes with every device
 * busy at once, fitted into the numbers the cost model reads. Matrix products over a grid of shapes
 * (batched too, as attention runs them); each memory-bound op family at several sizes, fitted as a
 * fixed cost plus bytes over a bandwidth; each collective kind over each set of mesh axes at several
 * message sizes, fitted as Alpa's α + β·(its factor)·B; point-to-point sends likewise.
 */
public final class Profiler {
    /**
     * What to measure.
     *
     * @param matmulSizes   the grid's m, n and k
     * @param batches       the grid's batch counts
     * @param maxFlops      a product of more FLOPs is measured at a smaller shape of the same proportions (rates saturate)
     * @param elements      sizes (float elements per array) of the memory-bound ops
     * @param messageBytes  sizes of the collectives and sends
     */
    public record Design(int[] matmulSizes, int[] batches, double maxFlops, long[] elements, long[] messageBytes) {
        /** Enough for a small mesh in well under a minute on two cores. */
        public static Design standard() {
            return new Design(new int[] {16, 64, 256, 1024}, new int[] {1, 16}, 1 << 28, new long[] {1 << 10, 1 << 13, 1 << 16, 1 << 19, 1 << 21},
                    new long[] {1 << 10, 1 << 14, 1 << 18, 1 << 21, 1 << 23});
        }
    }

    /** Progress: how many of the planned measurements are done, and what runs next. */
    public interface Progress {
        void step(int done, int total, String what);
    }

    private final Bench bench;
    private final Design design;
    private final Progress progress;
    private int done;
    private int total;

    private Profiler(Bench bench, Design design, Progress progress) {
        this.bench = bench;
        this.design = design;
        this.progress = progress;
    }

    public static MeasuredProfile run(Bench bench, Design design, Progress progress) {
        return new Profiler(bench, design, progress).run();
    }

    private MeasuredProfile run() {
        List<MeshAxes> axes = axes();
        int g = design.matmulSizes().length;
        List<Integer> busy = new ArrayList<>();
        for (int b = 1; b < bench.devices(); b *= 2) {
            busy.add(b);
        }
        busy.add(bench.devices());
        if (!busy.contains(bench.opBusy())) {
            busy.add(bench.opBusy());
            busy.sort(null);
        }
        total = 2 + g * g * g * design.batches().length + cases().size() * design.elements().length
                + (axes.size() * fitted().size() + 1) * design.messageBytes().length + busy.size();
        warmUpJit();
        MatmulRates.Measured matmul = matmul();
        Map<OpFamily, Fit> families = new EnumMap<>(OpFamily.class);
        Map<String, Fit> ops = new LinkedHashMap<>();
        ops(families, ops);
        double dispatch = dispatch();
        families.replaceAll((f, fit) -> fit.withFixed(fit.a() + dispatch));
        ops.replaceAll((name, fit) -> fit.withFixed(fit.a() + dispatch));
        // after the ops: a fresh JVM compiles the kernels in the background for seconds, and contention measured
        // first (one busy device against all) came out at 0.4-1.5 between profiles of one machine
        Contention contention = ContentionProbe.measure(bench, busy, this::tick);
        Map<String, Fit> collectives = collectives(axes);
        Fit p2p = null;
        if (bench.groupSize(MeshAxes.BOTH) > 1) {
            long[] sizes = design.messageBytes();
            double[] x = new double[sizes.length];
            double[] y = new double[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                tick("send " + sizes[i] + " B");
                x[i] = sizes[i];
                y[i] = bench.sendRecv(sizes[i]);
            }
            p2p = Fit.of(x, y);
        }
        return new MeasuredProfile(bench.mesh(), matmul, families, ops, contention, Map.of(bench.mesh(), collectives), p2p, dispatch);
    }

    /** Passes over every kernel at most; each pass measures each op once at a middle size. */
    static final int JIT_PASSES = 8;
    static final double JIT_SECONDS = 15;

    /**
     * Runs every kernel the profile measures, pass after pass, until a pass's JIT compilation takes at most 5 % of
     * it ({@value #JIT_PASSES} passes or {@value #JIT_SECONDS} s at most). A measurement warms up for a few
     * milliseconds, far less than the JIT takes to compile a kernel it meets for the first time (tens to hundreds of
     * milliseconds, queued behind others, on the cores the devices use): measured first, an op was timed in
     * whatever tier its code had reached, and one op's bandwidth came out at 1.3, 2.8 and 10.6 GB/s in three
     * profiles of one machine.
     */
    private void warmUpJit() {
        tick("warming up the JIT");
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        for (int pass = 0; pass < JIT_PASSES && (System.nanoTime() - start) * 1e-9 < JIT_SECONDS; pass++) {
            long compiled = timed ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            cases().values().forEach(cases -> cases.forEach(make -> {
                Case c = make.apply(1 << 13);
                bench.op(c.op(), c.in(), c.op().infer(c.in()));
            }));
            MatmulOp.MatMul mm = new MatmulOp.MatMul(false, false);
            for (List<TensorType> in : List.of(List.of(TensorType.f32(16, 16), TensorType.f32(16, 16)),
                    List.of(TensorType.f32(256, 64), TensorType.f32(64, 256)),
                    List.of(TensorType.f32(16, 64, 64), TensorType.f32(16, 64, 64)))) {
                bench.op(mm, in, mm.infer(in));
            }
            double wall = (System.nanoTime() - t0) * 1e-9;
            if (!timed || (jit.getTotalCompilationTime() - compiled) * 1e-3 <= 0.05 * wall) {
                return;
            }
        }
    }

    /** Adds in the program whose step time, against one add's, gives the runtime's cost per op. */
    static final int DISPATCH_OPS = 256;

    /**
     * What the engine's runtime adds to every op beyond its kernel: the step time of a program of {@value
     * #DISPATCH_OPS} chained adds on tiny tensors less that of one add, per add, less the add's kernel timed on
     * its own; nothing where the bench runs no programs. On two cores the runtime took 2.3 us per op where a tiny
     * add's kernel took well under one (most of a small MLP's step, 100 ops, was not its kernels).
     */
    private double dispatch() {
        tick("runtime dispatch");
        java.util.OptionalDouble many = bench.programStep(DISPATCH_OPS);
        java.util.OptionalDouble one = bench.programStep(1);
        if (many.isEmpty() || one.isEmpty()) {
            return 0;
        }
        ElementwiseOp.Binary add = new ElementwiseOp.Binary(ElementwiseOp.BinaryKind.ADD);
        List<TensorType> in = List.of(DispatchBench.local(), DispatchBench.local());
        double kernel = bench.op(add, in, add.infer(in));
        return Math.max(0, (many.getAsDouble() - one.getAsDouble()) / (DISPATCH_OPS - 1) - kernel);
    }

    /** Only the collectives of {@code bench}'s mesh: each kind per set of axes and pooled. */
    public static Map<String, Fit> collectivesOnly(Bench bench, Design design, Progress progress) {
        Profiler p = new Profiler(bench, design, progress);
        List<MeshAxes> axes = p.axes();
        p.total = axes.size() * fitted().size() * design.messageBytes().length;
        return p.collectives(axes);
    }

    private List<MeshAxes> axes() {
        List<MeshAxes> axes = new ArrayList<>();
        for (MeshAxes a : List.of(MeshAxes.AXIS0, MeshAxes.AXIS1, MeshAxes.BOTH)) {
            boolean both = a.equals(MeshAxes.BOTH);
            if (bench.groupSize(a) > 1 && !(both && (bench.groupSize(MeshAxes.AXIS0) == 1 || bench.groupSize(MeshAxes.AXIS1) == 1))) {
                axes.add(a);
            }
        }
        return axes;
    }

    private Map<String, Fit> collectives(List<MeshAxes> axes) {
        Map<String, Fit> collectives = new LinkedHashMap<>();
        for (CollectiveKind kind : fitted()) {
            List<double[]> pooled = new ArrayList<>();
            for (MeshAxes a : axes) {
                double[][] xy = collective(kind, a);
                collectives.put(kind.code() + "@" + a, Fit.of(xy[0], xy[1]));
                pooled.add(xy[0]);
                pooled.add(xy[1]);
            }
            if (!axes.isEmpty()) {
                collectives.put(kind.code(), Fit.of(concat(pooled, 0), concat(pooled, 1)));
            }
        }
        return collectives;
    }

    /** The collective kinds a plan uses, each fitted on its own. */
    static List<CollectiveKind> fitted() {
        return List.of(CollectiveKind.ALL_REDUCE, CollectiveKind.ALL_GATHER, CollectiveKind.REDUCE_SCATTER, CollectiveKind.ALL_TO_ALL);
    }

    private void tick(String what) {
        progress.step(done++, total, what);
    }

    /** Achieved FLOP/s over the grid; products beyond {@code maxFlops} are measured at a smaller shape of the same proportions. */
    private MatmulRates.Measured matmul() {
        int[] s = design.matmulSizes();
        int[] b = design.batches();
        double[] rates = new double[s.length * s.length * s.length * b.length];
        int i = 0;
        for (int m : s) {
            for (int n : s) {
                for (int k : s) {
                    for (int batch : b) {
                        tick("matmul " + batch + "x" + m + "x" + n + "x" + k);
                        int[] d = {m, n, k, batch};
                        while (2.0 * d[0] * d[1] * d[2] * d[3] > design.maxFlops()) {
                            int big = 0;
                            for (int j = 1; j < 4; j++) {
                                big = d[j] > d[big] ? j : big;
                            }
                            d[big] /= 2;
                        }
                        List<TensorType> in = d[3] == 1 ? List.of(TensorType.f32(d[0], d[2]), TensorType.f32(d[2], d[1]))
                                : List.of(TensorType.f32(d[3], d[0], d[2]), TensorType.f32(d[3], d[2], d[1]));
                        MatmulOp.MatMul op = new MatmulOp.MatMul(false, false);
                        TensorType out = op.infer(in);
                        rates[i++] = op.flops(in, out) / bench.op(op, in, out);
                    }
                }
            }
        }
        return new MatmulRates.Measured(s, s, s, b, rates);
    }

    /** One op on the shapes of about {@code e} float elements per array. */
    record Case(Op op, List<TensorType> in) {
    }

    /** The ops the models run, outside matrix products, by family: each measured at every size of the design. */
    static Map<OpFamily, List<LongFunction<Case>>> cases() {
        Map<OpFamily, List<LongFunction<Case>>> f = new EnumMap<>(OpFamily.class);
        int h = 256;
        LongToIntFunction rows = e -> (int) Math.max(4, e / h);
        LongFunction<TensorType> rh = e -> TensorType.f32(rows.applyAsInt(e), h);
        LongFunction<TensorType> ids = e -> TensorType.i32(rows.applyAsInt(e));
        List<LongFunction<Case>> elementwise = new ArrayList<>();
        for (ElementwiseOp.BinaryKind k : ElementwiseOp.BinaryKind.values()) {
            elementwise.add(e -> new Case(new ElementwiseOp.Binary(k), List.of(rh.apply(e), rh.apply(e))));
        }
        elementwise.add(e -> new Case(new ElementwiseOp.Binary(ElementwiseOp.BinaryKind.ADD), List.of(rh.apply(e), TensorType.f32(h))));
        elementwise.add(e -> new Case(new ElementwiseOp.Scale(0.5), List.of(rh.apply(e))));
        f.put(OpFamily.ELEMENTWISE, elementwise);
        List<LongFunction<Case>> activation = new ArrayList<>();
        for (ElementwiseOp.Activation a : ElementwiseOp.Activation.values()) {
            activation.add(e -> new Case(new ElementwiseOp.Unary(a), List.of(rh.apply(e))));
            activation.add(e -> new Case(new ElementwiseOp.ActivationGrad(a), List.of(rh.apply(e), rh.apply(e))));
        }
        f.put(OpFamily.ACTIVATION, activation);
        f.put(OpFamily.REDUCTION, List.of(
                e -> new Case(new ReductionOp.ReduceSum(List.of(1), false), List.of(rh.apply(e))),
                e -> new Case(new ReductionOp.ReduceSum(List.of(0), false), List.of(rh.apply(e))),
                e -> new Case(new ReductionOp.ReduceMean(List.of(1), false), List.of(rh.apply(e)))));
        f.put(OpFamily.SOFTMAX, List.of(
                e -> new Case(new NormalizationOp.Softmax(false), List.of(rh.apply(e))),
                e -> new Case(new NormalizationOp.SoftmaxGrad(), List.of(rh.apply(e), rh.apply(e)))));
        f.put(OpFamily.LAYER_NORM, List.of(
                e -> new Case(new NormalizationOp.LayerNorm(1e-5), List.of(rh.apply(e), TensorType.f32(h), TensorType.f32(h))),
                e -> new Case(new NormalizationOp.LayerNormGrad(1e-5), List.of(rh.apply(e), TensorType.f32(h), rh.apply(e))),
                e -> new Case(new NormalizationOp.LayerNormGammaGrad(1e-5), List.of(rh.apply(e), rh.apply(e)))));
        // a vocabulary as large as the batch of ids: the table's bytes grow with the size too
        f.put(OpFamily.EMBEDDING, List.of(
                e -> new Case(new EmbeddingOp.Embedding(), List.of(ids.apply(e), rh.apply(e))),
                e -> new Case(new EmbeddingOp.EmbeddingGrad(rows.applyAsInt(e)), List.of(ids.apply(e), rh.apply(e)))));
        f.put(OpFamily.LOSS, List.of(
                e -> new Case(new LossOp.CrossEntropy(), List.of(rh.apply(e), ids.apply(e))),
                e -> new Case(new LossOp.CrossEntropyGrad(), List.of(rh.apply(e), ids.apply(e), TensorType.scalarF32())),
                e -> new Case(new LossOp.MseLoss(), List.of(rh.apply(e), rh.apply(e)))));
        LongFunction<TensorType> flat = e -> TensorType.f32((int) e);
        f.put(OpFamily.OPTIMIZER, List.of(
                e -> new Case(new OptimizerOp.AdamApply(1e-3, 0.9, 0.999, 1e-8, 0.01),
                        List.of(flat.apply(e), flat.apply(e), flat.apply(e), TensorType.scalarF32())),
                e -> new Case(new OptimizerOp.AdamMoment(0.9, false), List.of(flat.apply(e), flat.apply(e))),
                e -> new Case(new OptimizerOp.MomentumUpdate(0.9, 0), List.of(flat.apply(e), flat.apply(e), flat.apply(e))),
                e -> new Case(new OptimizerOp.SgdApply(0.1), List.of(flat.apply(e), flat.apply(e)))));
        f.put(OpFamily.LAYOUT, List.of(
                e -> new Case(new LayoutOp.Permute(List.of(1, 0, 2)), List.of(TensorType.f32(4, rows.applyAsInt(e) / 4 + 1, h))),
                e -> new Case(new LayoutOp.BroadcastTo(Shape.of(rows.applyAsInt(e), h)), List.of(TensorType.f32(h)))));
        return f;
    }

    /**
     * Every op's fit of seconds against the bytes the cost model counts for it, and each family's over
     * all its ops; products take their grid's rates, and their memory term the element-wise bandwidth.
     */
    private void ops(Map<OpFamily, Fit> families, Map<String, Fit> ops) {
        cases().forEach((family, cases) -> {
            List<double[]> all = new ArrayList<>();
            Map<String, List<double[]>> byOp = new LinkedHashMap<>();
            for (long e : design.elements()) {
                tick(family.code() + " " + e);
                for (LongFunction<Case> make : cases) {
                    Case c = make.apply(e);
                    TensorType o = c.op().infer(c.in());
                    // an optimizer reads parameters and moments no other op of the step touches: from main memory
                    double secs = family == OpFamily.OPTIMIZER ? bench.opCold(c.op(), c.in(), o) : bench.op(c.op(), c.in(), o);
                    double[] xy = {c.op().bytesRead(c.in()) + c.op().bytesWritten(o), secs};
                    all.add(xy);
                    byOp.computeIfAbsent(io.github.alpa4j.planner.cost.DeviceCost.key(c.op(), c.in()), k -> new ArrayList<>()).add(xy);
                }
            }
            families.put(family, fit(all));
            byOp.forEach((name, xy) -> ops.put(name, fit(xy)));
        });
        Fit e = families.get(OpFamily.ELEMENTWISE);
        families.put(OpFamily.MATMUL, new Fit(0, e.b(), e.residual(), e.points()));
    }

    private static Fit fit(List<double[]> xy) {
        return Fit.of(xy.stream().mapToDouble(p -> p[0]).toArray(), xy.stream().mapToDouble(p -> p[1]).toArray());
    }

    /** Measurements of one kind over one set of axes: x the alpha-beta model's effective bytes, y seconds. */
    private double[][] collective(CollectiveKind kind, MeshAxes axes) {
        int n = bench.groupSize(axes);
        long[] sizes = design.messageBytes();
        double[] x = new double[sizes.length];
        double[] y = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            long bytes = Math.max(4L * n * n, sizes[i] / (4L * n * n) * 4L * n * n); // whole chunks for every member
            tick(kind.code() + " over " + axes + " " + bytes + " B");
            x[i] = factor(kind, n) * bytes;
            y[i] = bench.collective(kind, axes, bytes);
        }
        return new double[][] {x, y};
    }

    /** The alpha-beta model's multiplier of B for a kind on n devices (REFERENCES §1). */
    static double factor(CollectiveKind kind, int n) {
        return switch (kind) {
            case ALL_REDUCE -> 2.0 * (n - 1) / n;
            case ALL_GATHER, REDUCE_SCATTER -> (n - 1.0) / n;
            case ALL_TO_ALL -> (n - 1.0) / ((double) n * n) * (n / 2.0);
            case BROADCAST, SEND_RECV -> 1;
        };
    }

    private static double[] concat(List<double[]> parts, int which) {
        List<Double> all = new ArrayList<>();
        for (int i = which; i < parts.size(); i += 2) {
            for (double v : parts.get(i)) {
                all.add(v);
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
