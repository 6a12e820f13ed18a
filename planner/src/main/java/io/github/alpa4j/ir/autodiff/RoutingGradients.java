package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.Value;
import java.util.Arrays;
import java.util.List;

/**
 * Gradients of top-2 gating: the combine weights pass dL/d(weights) back to the gates (with the
 * renormalisation's Jacobian); the dispatch mask and the first-choice one-hot are the step's routing
 * decision, constant as an argmax is, so they pass none (null: the gates get gradient only through
 * the combine weights and the load-balancing loss's mean gate).
 */
final class RoutingGradients {
    private RoutingGradients() {
    }

    static List<Value> vjp(GradContext c, Node n, RoutingOp op, Value dy) {
        return switch (op) {
            case RoutingOp.Top2Combine t -> List.of(c.b.apply(new RoutingOp.Top2CombineGrad(t.capacity()), c.in(n, 0), dy));
            case RoutingOp.Top2Dispatch t -> nulls(1);
            case RoutingOp.Top1Mask t -> nulls(1);
            case RoutingOp.Top2CombineGrad t -> throw new IllegalArgumentException("no gradient rule for op '" + op.opName() + "'");
        };
    }

    private static List<Value> nulls(int n) {
        return Arrays.asList(new Value[n]);
    }
}
