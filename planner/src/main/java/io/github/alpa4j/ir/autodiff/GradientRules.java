package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.Value;
import java.util.List;

/**
 * The one place an op meets its gradient rule: an exhaustive switch over the sealed op families, so
 * a new op does not compile until it has a rule here or is listed among those without one (sources,
 * which autodiff never differentiates, and the backward and optimizer ops it emits).
 */
final class GradientRules {
    private GradientRules() {
    }

    /** The vector-Jacobian product of node {@code n}: given dL/d(output), the gradient for each input (null where none). */
    static List<Value> vjp(GradContext c, Node n, Value dy) {
        return switch (n.op()) {
            case MatmulOp.MatMul m -> MatmulGradients.matmul(c, n, m, dy);
            case ElementwiseOp.Binary b -> ElementwiseGradients.binary(c, n, b, dy);
            case ElementwiseOp.Unary u -> ElementwiseGradients.activation(c, n, u, dy);
            case ElementwiseOp.Scale s -> ElementwiseGradients.scale(c, s, dy);
            case ElementwiseOp.Cast k -> ElementwiseGradients.cast(c, n, dy);
            case LayoutOp.Reshape r -> LayoutGradients.reshape(c, n, dy);
            case LayoutOp.Permute p -> LayoutGradients.permute(c, p, dy);
            case LayoutOp.BroadcastTo b -> LayoutGradients.broadcastTo(c, n, dy);
            case ReductionOp r -> LayoutGradients.reduction(c, n, r, dy);
            case NormalizationOp.Softmax s -> NormalizationGradients.softmax(c, n, dy);
            case NormalizationOp.LayerNorm l -> NormalizationGradients.layerNorm(c, n, l, dy);
            case EmbeddingOp.Embedding e -> NormalizationGradients.embedding(c, n, dy);
            case LossOp.CrossEntropy l -> NormalizationGradients.crossEntropy(c, n, dy);
            case LossOp.MseLoss l -> NormalizationGradients.mse(c, n, dy);
            case SourceOp s -> throw none(s);
            case ElementwiseOp.ActivationGrad g -> throw none(g);
            case NormalizationOp.SoftmaxGrad g -> throw none(g);
            case NormalizationOp.LayerNormGrad g -> throw none(g);
            case NormalizationOp.LayerNormGammaGrad g -> throw none(g);
            case EmbeddingOp.EmbeddingGrad g -> throw none(g);
            case LossOp.CrossEntropyGrad g -> throw none(g);
            case OptimizerOp o -> throw none(o);
            case PatchOp p -> PatchGradients.vjp(c, n, p, dy);
            case RoutingOp r -> RoutingGradients.vjp(c, n, r, dy);
        };
    }

    private static IllegalArgumentException none(Op op) {
        return new IllegalArgumentException("no gradient rule for op '" + op.opName() + "'");
    }
}
