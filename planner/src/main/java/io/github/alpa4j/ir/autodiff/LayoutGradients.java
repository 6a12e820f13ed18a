package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.ReductionOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.Value;
import java.util.List;

/** Gradients of layout ops (index maps, undone by their inverse) and of reductions (spread back). */
final class LayoutGradients {
    private LayoutGradients() {
    }

    static List<Value> reshape(GradContext c, Node n, Value dy) {
        return List.of(c.b.reshape(dy, c.in(n, 0).shape()));
    }

    static List<Value> permute(GradContext c, LayoutOp.Permute op, Value dy) {
        return List.of(c.b.apply(op.inverse(), dy));
    }

    static List<Value> broadcastTo(GradContext c, Node n, Value dy) {
        return List.of(c.unbroadcast(dy, c.in(n, 0).shape()));
    }

    /** Sums and means spread dy back over the reduced axes. */
    static List<Value> reduction(GradContext c, Node n, ReductionOp op, Value dy) {
        Value x = c.in(n, 0);
        Value g = dy;
        if (!op.keepDims()) {
            int[] kept = x.shape().dims();
            for (int a : op.axes()) {
                kept[a] = 1;
            }
            g = c.b.reshape(dy, Shape.of(kept));
        }
        Value spread = c.b.broadcastTo(g, x.shape());
        return List.of(switch (op) {
            case ReductionOp.ReduceSum s -> spread;
            case ReductionOp.ReduceMean m -> c.b.scale(spread, 1.0 / m.axes().stream().mapToLong(x::dim).reduce(1, (p, q) -> p * q));
        });
    }
}
