package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.MatmulOp.MatMul;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Value;
import java.util.List;

/** Gradients of C = op(A)·op(B). */
final class MatmulGradients {
    private MatmulGradients() {
    }

    static List<Value> matmul(GradContext c, Node n, MatMul op, Value dc) {
        Value a = c.in(n, 0);
        Value b = c.in(n, 1);
        boolean ta = op.transA();
        boolean tb = op.transB();
        // dA: shape of A (with the broadcast form, A keeps its leading dims and B is rank 2)
        Value da = ta ? c.b.matmul(b, dc, tb, true) : c.b.matmul(dc, b, false, !tb);
        Value db;
        if (a.rank() > 2 && b.rank() == 2) {
            // B was shared by every row of A's leading dimensions: flatten them and contract over them
            long rows = a.type().shape().size(0, a.rank() - 1);
            Value a2 = c.b.reshape(a, (int) rows, a.dim(-1));
            Value dc2 = c.b.reshape(dc, (int) rows, dc.dim(-1));
            db = tb ? c.b.matmul(dc2, a2, true, false) : c.b.matmul(a2, dc2, true, false);
        } else if (tb) {
            db = ta ? c.b.matmul(dc, a, true, true) : c.b.matmul(dc, a, true, false);
        } else {
            db = ta ? c.b.matmul(a, dc, false, false) : c.b.matmul(a, dc, true, false);
        }
        return List.of(da, db);
    }
}
