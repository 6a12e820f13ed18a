package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.Broadcast;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.Value;

/** What a gradient rule may use: the builder (in backward phase) and the forward values. */
final class GradContext {
    final GraphBuilder b;

    GradContext(GraphBuilder b) {
        this.b = b;
    }

    /** Input {@code i} of {@code n} as a value. */
    Value in(Node n, int i) {
        return b.value(n.input(i));
    }

    /** The node's own output as a value. */
    Value out(Node n) {
        return b.value(n.id());
    }

    /** Sums {@code g} over the axes along which an operand of shape {@code target} was broadcast. */
    Value unbroadcast(Value g, Shape target) {
        if (g.shape().equals(target)) {
            return g;
        }
        int[] axes = Broadcast.broadcastAxes(target, g.shape());
        Value s = axes.length == 0 ? g : b.reduceSum(g, false, axes);
        return s.shape().equals(target) ? s : b.reshape(s, target);
    }
}
