package io.github.alpa4j.planner.cost;

import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.SourceOp;
import java.util.Locale;

/**
 * The kinds of work a device's cost is measured and modelled by: matrix products by their achieved
 * FLOP/s for their shape, every other family (memory-bound) by its achieved bytes per second, each
 * with a fixed cost per op (a kernel launch, a dispatch). Activations are apart from arithmetic: a
 * GELU's tanh costs a CPU several times an add's time per byte.
 */
public enum OpFamily {
    MATMUL, ELEMENTWISE, ACTIVATION, REDUCTION, SOFTMAX, LAYER_NORM, EMBEDDING, LOSS, OPTIMIZER, LAYOUT;

    /** The name in cluster files ({@code layer-norm}). */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static OpFamily parse(String code) {
        for (OpFamily f : values()) {
            if (f.code().equals(code)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown op family '" + code + "'");
    }

    /** The family of {@code op}; sources (parameters, inputs, constants) are layout work (a fill at most). */
    public static OpFamily of(Op op) {
        return switch (op) {
            case MatmulOp m -> MATMUL;
            case ElementwiseOp e -> switch (e) {
                case ElementwiseOp.Binary b -> ELEMENTWISE;
                case ElementwiseOp.Scale sc -> ELEMENTWISE;
                case ElementwiseOp.Cast k -> ELEMENTWISE;
                case ElementwiseOp.Unary u -> ACTIVATION;
                case ElementwiseOp.ActivationGrad g -> ACTIVATION;
            };
            case ReductionOp r -> REDUCTION;
            case NormalizationOp n -> switch (n) {
                case NormalizationOp.Softmax s -> SOFTMAX;
                case NormalizationOp.SoftmaxGrad s -> SOFTMAX;
                case NormalizationOp.LayerNorm l -> LAYER_NORM;
                case NormalizationOp.LayerNormGrad l -> LAYER_NORM;
                case NormalizationOp.LayerNormGammaGrad l -> LAYER_NORM;
            };
            case EmbeddingOp e -> EMBEDDING;
            case LossOp l -> LOSS;
            case OptimizerOp o -> OPTIMIZER;
            case LayoutOp l -> LAYOUT;
            case PatchOp p -> LAYOUT; // window gathers and scatters: memory-bound copies
            case RoutingOp r -> REDUCTION; // a pass over each group's gates, memory-bound as a reduction
            case SourceOp s -> LAYOUT;
        };
    }
}
