package io.github.alpa4j.ir.cases;

import static io.github.alpa4j.ir.TensorType.f32;
import static io.github.alpa4j.ir.TensorType.i32;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp.MatMul;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * The one table of op cases (as PyTorch's OpInfo database) that the kernel, autodiff, reference
 * evaluator and graph-JSON suites all iterate, so an op added here is tested everywhere at once.
 * {@code OpCasesTest} checks that every concrete op type, and every element-wise kind, has a case.
 * Every activation and binary kind gets its cases from the enums themselves.
 */
public final class OpCases {
    /** Vocabulary of the embedding and loss cases: ids and labels are drawn below it. */
    static final int VOCAB = 5;

    private static final List<OpCase> ALL = build();

    private OpCases() {
    }

    public static List<OpCase> all() {
        return ALL;
    }

    public static Stream<OpCase> differentiable() {
        return ALL.stream().filter(OpCase::differentiable);
    }

    /**
     * Values for every source of {@code g} but constants: what {@code given} returns for it, or, where
     * that is null, {@link #normal()}'s.
     */
    static Map<String, double[]> sources(Graph g, Random r, BiFunction<Node, Random, double[]> given) {
        Map<String, double[]> s = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if (n.isSource() && !(n.op() instanceof SourceOp.Constant)) {
                double[] v = given.apply(n, r);
                s.put(n.name(), v != null ? v : normal().values(-1, n.type(), r));
            }
        }
        return s;
    }

    /** {@link #normal()} values for every source of {@code g} but constants. */
    public static Map<String, double[]> sources(Graph g, Random r) {
        return sources(g, r, (n, rnd) -> null);
    }

    /** Standard normal values, kept 0.05 away from 0 (ReLU's kink, where finite differences fail). */
    static double[] normal(TensorType t, Random r) {
        double[] x = new double[(int) t.size()];
        for (int i = 0; i < x.length; i++) {
            double v = r.nextGaussian();
            x[i] = Math.abs(v) < 0.05 ? 0.3 : v;
        }
        return x;
    }

    /** Floats standard normal, integers (ids, labels) uniform below {@link #VOCAB}. */
    static OpCase.Draw normal() {
        return (i, t, r) -> {
            if (t.dtype() != DType.I32) {
                return normal(t, r);
            }
            double[] x = new double[(int) t.size()];
            for (int k = 0; k < x.length; k++) {
                x[k] = r.nextInt(VOCAB);
            }
            return x;
        };
    }

    /** As {@link #normal()}, but input {@code which} uniform in [lo, hi). */
    static OpCase.Draw uniform(int which, double lo, double hi) {
        OpCase.Draw rest = normal();
        return (i, t, r) -> {
            if (i != which) {
                return rest.values(i, t, r);
            }
            double[] x = new double[(int) t.size()];
            for (int k = 0; k < x.length; k++) {
                x[k] = lo + (hi - lo) * r.nextDouble();
            }
            return x;
        };
    }

    /** As {@link #normal()}, but input {@code which} of magnitude in [0.5, 2), either sign: a divisor. */
    static OpCase.Draw awayFromZero(int which) {
        OpCase.Draw magnitude = uniform(which, 0.5, 2);
        return (i, t, r) -> {
            double[] x = magnitude.values(i, t, r);
            if (i == which) {
                for (int k = 0; k < x.length; k++) {
                    x[k] = r.nextBoolean() ? x[k] : -x[k];
                }
            }
            return x;
        };
    }

    /**
     * Input 0 as gates: positive, every row's values at least 0.1 apart (a finite difference never
     * changes the routing); the other inputs normal.
     */
    static OpCase.Draw gates() {
        OpCase.Draw rest = normal();
        return (i, t, r) -> {
            if (i != 0) {
                return rest.values(i, t, r);
            }
            int e = t.dim(-1);
            double[] x = new double[(int) t.size()];
            for (int row = 0; row < x.length / e; row++) {
                List<Integer> order = new ArrayList<>();
                for (int k = 0; k < e; k++) {
                    order.add(k);
                }
                java.util.Collections.shuffle(order, r);
                for (int k = 0; k < e; k++) {
                    x[row * e + k] = (order.get(k) + 1 + 0.8 * r.nextDouble()) / e;
                }
            }
            return x;
        };
    }

    private static OpCase grad(String name, Op op, TensorType... in) {
        return new OpCase(name, op, List.of(in), normal(), true);
    }

    private static OpCase noGrad(String name, Op op, TensorType... in) {
        return new OpCase(name, op, List.of(in), normal(), false);
    }

    private static String tag(Enum<?> kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static List<OpCase> build() {
        List<OpCase> c = new ArrayList<>();
        // sources
        c.add(noGrad("parameter", new SourceOp.Parameter(f32(3, 4), Init.normal(0.02))));
        c.add(noGrad("state", new SourceOp.State(f32(3, 4), Init.zeros())));
        c.add(noGrad("input_ids", new SourceOp.Input(i32(2, 3), SourceOp.InputKind.DATA)));
        c.add(noGrad("input_target", new SourceOp.Input(f32(3, 4), SourceOp.InputKind.LABEL)));
        c.add(noGrad("constant", new SourceOp.Constant(f32(2, 2), 1.5)));
        // matrix products
        c.add(grad("matmul", new MatMul(false, false), f32(3, 4), f32(4, 5)));
        c.add(grad("matmul_tA", new MatMul(true, false), f32(4, 3), f32(4, 5)));
        c.add(grad("matmul_tB", new MatMul(false, true), f32(3, 4), f32(5, 4)));
        c.add(grad("matmul_tA_tB", new MatMul(true, true), f32(4, 3), f32(5, 4)));
        c.add(grad("batched_matmul", new MatMul(false, false), f32(2, 3, 3, 4), f32(2, 3, 4, 2)));
        c.add(grad("batched_matmul_tA", new MatMul(true, false), f32(3, 4, 6), f32(3, 4, 5)));
        c.add(grad("batched_matmul_tB", new MatMul(false, true), f32(2, 3, 4), f32(2, 5, 4)));
        c.add(grad("broadcast_matmul", new MatMul(false, false), f32(2, 3, 4), f32(4, 5)));
        c.add(grad("broadcast_matmul_tB", new MatMul(false, true), f32(2, 3, 4), f32(5, 4)));
        // element-wise: every binary kind and activation from its enum, then the other broadcasts
        for (BinaryKind k : BinaryKind.values()) {
            c.add(new OpCase(tag(k) + "_broadcast", new ElementwiseOp.Binary(k), List.of(f32(2, 3, 4), f32(3, 1)),
                    awayFromZero(1), true));
        }
        c.add(grad("bias_add", new ElementwiseOp.Binary(BinaryKind.ADD), f32(3, 4), f32(4)));
        c.add(grad("sub_broadcast_left", new ElementwiseOp.Binary(BinaryKind.SUB), f32(4), f32(3, 4)));
        c.add(grad("mul_broadcast_both", new ElementwiseOp.Binary(BinaryKind.MUL), f32(2, 1, 4), f32(3, 1)));
        for (Activation a : Activation.values()) {
            // 1/√x is drawn where it is defined and smooth
            OpCase.Draw draw = a == Activation.RSQRT ? uniform(0, 0.5, 2) : normal();
            c.add(new OpCase(tag(a), new ElementwiseOp.Unary(a), List.of(f32(3, 5)), draw, true));
            c.add(new OpCase(tag(a) + "_grad", new ElementwiseOp.ActivationGrad(a), List.of(f32(3, 5), f32(3, 5)), draw, false));
        }
        c.add(grad("scale", new ElementwiseOp.Scale(-0.7), f32(3, 5)));
        // casts of mixed precision: down to each narrow type, and back up
        c.add(grad("cast_bf16", new ElementwiseOp.Cast(DType.BF16), f32(3, 5)));
        c.add(grad("cast_f16", new ElementwiseOp.Cast(DType.F16), f32(3, 5)));
        c.add(grad("cast_bf16_to_f32", new ElementwiseOp.Cast(DType.F32), new TensorType(DType.BF16, Shape.of(3, 5))));
        // layout
        c.add(grad("reshape", new LayoutOp.Reshape(Shape.of(6, 2)), f32(3, 4)));
        c.add(grad("permute", LayoutOp.Permute.of(2, 0, 1), f32(2, 3, 4)));
        c.add(grad("broadcast_to", new LayoutOp.BroadcastTo(Shape.of(2, 3, 4)), f32(3, 1)));
        // reductions
        c.add(grad("reduce_sum", new ReductionOp.ReduceSum(List.of(0, 2), false), f32(2, 3, 4)));
        c.add(grad("reduce_sum_keep", new ReductionOp.ReduceSum(List.of(1), true), f32(2, 3, 4)));
        c.add(grad("reduce_mean", new ReductionOp.ReduceMean(List.of(2), false), f32(2, 3, 4)));
        c.add(grad("reduce_mean_keep", new ReductionOp.ReduceMean(List.of(1), true), f32(2, 3, 4)));
        c.add(grad("reduce_mean_all", new ReductionOp.ReduceMean(List.of(0, 1), false), f32(3, 4)));
        // normalisation
        c.add(grad("softmax", new NormalizationOp.Softmax(false), f32(3, 5)));
        c.add(grad("softmax_causal", new NormalizationOp.Softmax(true), f32(2, 4, 4)));
        c.add(noGrad("softmax_grad", new NormalizationOp.SoftmaxGrad(), f32(3, 5), f32(3, 5)));
        c.add(grad("layer_norm", new NormalizationOp.LayerNorm(1e-5), f32(3, 6), f32(6), f32(6)));
        c.add(noGrad("layer_norm_grad", new NormalizationOp.LayerNormGrad(1e-5), f32(3, 6), f32(6), f32(3, 6)));
        c.add(noGrad("layer_norm_gamma_grad", new NormalizationOp.LayerNormGammaGrad(1e-5), f32(3, 6), f32(3, 6)));
        // windows of convolution and pooling: overlapping with padding, strided, 1x1, and the adjoint
        c.add(grad("im2col_3x3_pad", new PatchOp.Im2Col(3, 3, 1, 1), f32(2, 4, 4, 2)));
        c.add(grad("im2col_3x3_stride2", new PatchOp.Im2Col(3, 3, 2, 1), f32(1, 5, 5, 2)));
        c.add(grad("im2col_1x1_stride2", new PatchOp.Im2Col(1, 1, 2, 0), f32(2, 4, 4, 3)));
        c.add(grad("col2im_3x3_pad", new PatchOp.Col2Im(4, 4, 3, 3, 1, 1), f32(2, 4, 4, 18)));
        c.add(grad("col2im_2x2_stride2", new PatchOp.Col2Im(5, 5, 2, 2, 2, 0), f32(1, 2, 2, 8)));
        // embedding and losses
        c.add(grad("embedding", new EmbeddingOp.Embedding(), i32(2, 3), f32(VOCAB, 4)));
        c.add(noGrad("embedding_grad", new EmbeddingOp.EmbeddingGrad(VOCAB), i32(2, 3), f32(2, 3, 4)));
        c.add(grad("cross_entropy", new LossOp.CrossEntropy(), f32(2, 3, VOCAB), i32(2, 3)));
        c.add(noGrad("cross_entropy_grad", new LossOp.CrossEntropyGrad(), f32(2, 3, VOCAB), i32(2, 3), TensorType.scalarF32()));
        c.add(grad("mse", new LossOp.MseLoss(), f32(3, 4), f32(3, 4)));
        // optimizer updates
        c.add(noGrad("momentum_update", new OptimizerOp.MomentumUpdate(0.9, 0.01), f32(3, 4), f32(3, 4), f32(3, 4)));
        c.add(noGrad("sgd_apply", new OptimizerOp.SgdApply(0.1), f32(3, 4), f32(3, 4)));
        c.add(noGrad("adam_moment", new OptimizerOp.AdamMoment(0.9, false), f32(3, 4), f32(3, 4)));
        c.add(noGrad("adam_moment_squared", new OptimizerOp.AdamMoment(0.999, true), f32(3, 4), f32(3, 4)));
        OpCase.Draw adam = (i, t, r) -> switch (i) {
            case 2 -> uniform(2, 0, 0.01).values(i, t, r); // second moments are non-negative
            case 3 -> new double[] {1 + r.nextInt(10)};     // the step count, from 1
            default -> normal(t, r);
        };
        c.add(new OpCase("adamw_apply", new OptimizerOp.AdamApply(0.01, 0.9, 0.99, 1e-8, 0.1),
                List.of(f32(3, 4), f32(3, 4), f32(3, 4), TensorType.scalarF32()), adam, false));
        c.add(noGrad("step_increment", new OptimizerOp.StepIncrement(), TensorType.scalarF32()));
        // top-2 gating: 2 groups of 6 tokens over 3 experts with 2 slots each, so some tokens are dropped
        c.add(new OpCase("top2_dispatch", new RoutingOp.Top2Dispatch(2), List.of(f32(2, 6, 3)), gates(), true));
        c.add(new OpCase("top2_combine", new RoutingOp.Top2Combine(2), List.of(f32(2, 6, 3)), gates(), true));
        c.add(new OpCase("top2_combine_grad", new RoutingOp.Top2CombineGrad(2), List.of(f32(2, 6, 3), f32(2, 6, 3, 2)), gates(),
                false));
        c.add(new OpCase("top1_mask", new RoutingOp.Top1Mask(), List.of(f32(2, 6, 3)), gates(), true));
        return List.copyOf(c);
    }
}
