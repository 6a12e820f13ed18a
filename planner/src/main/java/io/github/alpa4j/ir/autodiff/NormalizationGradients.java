package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.EmbeddingOp;
import io.github.alpa4j.ir.LossOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.Value;
import java.util.Arrays;
import java.util.List;

/** Gradients of softmax, layer norm, embedding and the losses. */
final class NormalizationGradients {
    private NormalizationGradients() {
    }

    static List<Value> softmax(GradContext c, Node n, Value dy) {
        return List.of(c.b.apply(new NormalizationOp.SoftmaxGrad(), c.out(n), dy));
    }

    static List<Value> layerNorm(GradContext c, Node n, NormalizationOp.LayerNorm op, Value dy) {
        double eps = op.eps();
        Value x = c.in(n, 0);
        Value gamma = c.in(n, 1);
        Value dx = c.b.apply(new NormalizationOp.LayerNormGrad(eps), x, gamma, dy);
        Value dgamma = c.b.apply(new NormalizationOp.LayerNormGammaGrad(eps), x, dy);
        Value dbeta = c.b.reduceSum(dy, false, ElementwiseGradients.leadingAxes(dy));
        return List.of(dx, dgamma, dbeta);
    }

    static List<Value> embedding(GradContext c, Node n, Value dy) {
        Value table = c.in(n, 1);
        return Arrays.asList(null, c.b.apply(new EmbeddingOp.EmbeddingGrad(table.dim(0)), c.in(n, 0), dy));
    }

    static List<Value> crossEntropy(GradContext c, Node n, Value dy) {
        return Arrays.asList(c.b.apply(new LossOp.CrossEntropyGrad(), c.in(n, 0), c.in(n, 1), dy), null);
    }

    static List<Value> mse(GradContext c, Node n, Value dy) {
        Value pred = c.in(n, 0);
        Value target = c.in(n, 1);
        Value diff = c.b.sub(pred, target);
        Value dpred = c.b.mul(c.b.scale(diff, 2.0 / pred.type().size()), dy);
        return List.of(dpred, c.b.scale(dpred, -1));
    }
}
