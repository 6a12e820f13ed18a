package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.Value;
import java.util.List;

/** im2col and col2im are linear and each other's adjoint, so each one's gradient is the other. */
final class PatchGradients {
    private PatchGradients() {
    }

    static List<Value> vjp(GradContext c, Node n, PatchOp op, Value dy) {
        return List.of(switch (op) {
            case PatchOp.Im2Col i -> {
                Value x = c.in(n, 0);
                yield c.b.apply(new PatchOp.Col2Im(x.dim(1), x.dim(2), i.kh(), i.kw(), i.stride(), i.pad()), dy);
            }
            case PatchOp.Col2Im k -> c.b.apply(new PatchOp.Im2Col(k.kh(), k.kw(), k.stride(), k.pad()), dy);
        });
    }
}
