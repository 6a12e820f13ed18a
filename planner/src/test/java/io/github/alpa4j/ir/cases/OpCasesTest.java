package io.github.alpa4j.ir.cases;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.ir.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The table is complete: a new op type, binary kind or activation without a case fails here by
 * name, before any suite would silently skip it.
 */
class OpCasesTest {

    /** Every concrete (record) type below {@code type} in the sealed hierarchy. */
    static List<Class<?>> concreteTypes(Class<?> type) {
        List<Class<?>> out = new ArrayList<>();
        if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) {
                out.addAll(concreteTypes(sub));
            }
        } else {
            out.add(type);
        }
        return out;
    }

    @Test
    void everyOpTypeHasACase() {
        Set<Class<?>> covered = OpCases.all().stream().map(c -> c.op().getClass()).collect(Collectors.toSet());
        List<Class<?>> ops = concreteTypes(Op.class);
        assertThat(ops).as("the sealed op hierarchy").hasSizeGreaterThan(25);
        assertThat(ops).allSatisfy(t -> assertThat(covered).as("a case in OpCases for %s", t.getName()).contains(t));
    }

    @Test
    void everyElementwiseKindHasACase() {
        Set<Op> ops = OpCases.all().stream().map(OpCase::op).collect(Collectors.toSet());
        for (BinaryKind k : BinaryKind.values()) {
            assertThat(ops).as("a case for binary kind %s", k).contains(new ElementwiseOp.Binary(k));
        }
        for (Activation a : Activation.values()) {
            assertThat(ops).as("a case for activation %s", a).contains(new ElementwiseOp.Unary(a));
            assertThat(ops).as("a case for the gradient of activation %s", a).contains(new ElementwiseOp.ActivationGrad(a));
        }
    }

    @Test
    void everyCaseIsWellTypedAndNamedOnce() {
        assertThat(OpCases.all()).extracting(OpCase::name).doesNotHaveDuplicates();
        for (OpCase c : OpCases.all()) {
            assertThat(c.graph().node(c.graph().output("out")).type()).as(c.name()).isEqualTo(c.output());
        }
    }
}
