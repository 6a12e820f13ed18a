package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Value;
import java.util.Arrays;
import java.util.List;

/** Gradients of broadcasting arithmetic, activations, scaling and casts. */
final class ElementwiseGradients {
    private ElementwiseGradients() {
    }

    static List<Value> binary(GradContext c, Node n, ElementwiseOp.Binary op, Value dy) {
        Value a = c.in(n, 0);
        Value b = c.in(n, 1);
        return switch (op.kind()) {
            case ADD -> List.of(c.unbroadcast(dy, a.shape()), c.unbroadcast(dy, b.shape()));
            case SUB -> List.of(c.unbroadcast(dy, a.shape()), c.unbroadcast(c.b.scale(dy, -1), b.shape()));
            case MUL -> List.of(c.unbroadcast(c.b.mul(dy, b), a.shape()), c.unbroadcast(c.b.mul(dy, a), b.shape()));
            case DIV -> {
                // d(a/b)/db = −(a/b)/b
                Value db = c.b.scale(c.b.div(c.b.mul(dy, c.out(n)), b), -1);
                yield List.of(c.unbroadcast(c.b.div(dy, b), a.shape()), c.unbroadcast(db, b.shape()));
            }
        };
    }

    static List<Value> activation(GradContext c, Node n, ElementwiseOp.Unary op, Value dy) {
        return List.of(c.b.apply(new ElementwiseOp.ActivationGrad(op.activation()), c.in(n, 0), dy));
    }

    static List<Value> scale(GradContext c, ElementwiseOp.Scale op, Value dy) {
        return List.of(c.b.scale(dy, op.alpha()));
    }

    /** A cast's gradient is the cast back: dL/dx has x's type (an f32 master weight gets an f32 gradient). */
    static List<Value> cast(GradContext c, Node n, Value dy) {
        return List.of(c.b.cast(dy, c.in(n, 0).type().dtype()));
    }

    static int[] leadingAxes(Value x) {
        int[] axes = new int[x.rank() - 1];
        Arrays.setAll(axes, i -> i);
        return axes;
    }
}
