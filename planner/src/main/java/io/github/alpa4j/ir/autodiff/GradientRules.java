package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.ReductionOp;
import java.util.Map;

/** The one registry from an op type to its gradient rule. Backward and optimizer ops have none. */
final class GradientRules {
    private static final Map<Class<? extends Op>, GradientRule> RULES = Map.ofEntries(
            Map.entry(MatmulOp.MatMul.class, MatmulGradients::matmul),
            Map.entry(ElementwiseOp.Binary.class, ElementwiseGradients::binary),
            Map.entry(ElementwiseOp.Unary.class, ElementwiseGradients::activation),
            Map.entry(ElementwiseOp.Scale.class, ElementwiseGradients::scale),
            Map.entry(LayoutOp.Reshape.class, LayoutGradients::reshape),
            Map.entry(LayoutOp.Permute.class, LayoutGradients::permute),
            Map.entry(LayoutOp.BroadcastTo.class, LayoutGradients::broadcastTo),
            Map.entry(ReductionOp.ReduceSum.class, LayoutGradients::reduction),
            Map.entry(ReductionOp.ReduceMean.class, LayoutGradients::reduction),
            Map.entry(NormalizationOp.Softmax.class, NormalizationGradients::softmax),
            Map.entry(NormalizationOp.LayerNorm.class, NormalizationGradients::layerNorm),
            Map.entry(EmbeddingOp.Embedding.class, NormalizationGradients::embedding),
            Map.entry(LossOp.CrossEntropy.class, NormalizationGradients::crossEntropy),
            Map.entry(LossOp.MseLoss.class, NormalizationGradients::mse));

    private GradientRules() {
    }

    static GradientRule of(Op op) {
        GradientRule r = RULES.get(op.getClass());
        if (r == null) {
            throw new IllegalArgumentException("no gradient rule for op '" + op.opName() + "'");
        }
        return r;
    }
}
