package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Value;
import java.util.List;

/** The vector-Jacobian product of one op: given dL/d(output), the gradient for each input (null where none). */
@FunctionalInterface
interface GradientRule {
    List<Value> vjp(GradContext ctx, Node node, Value dy);
}
