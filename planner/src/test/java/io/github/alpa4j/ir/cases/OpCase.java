package io.github.alpa4j.ir.cases;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One op on inputs of the given types, with a way to draw values its definition admits (as a sample
 * input of PyTorch's OpInfo). {@code differentiable} says whether autodiff has a gradient rule for
 * the op; the autodiff suite checks that it is so.
 *
 * @param draw values of every input; integer inputs (ids, labels) as exact doubles
 */
public record OpCase(String name, Op op, List<TensorType> inputs, Draw draw, boolean differentiable) {
    /** The name of the one node of a source case. */
    public static final String SOURCE = "source";

    /** Values for input {@code i} of type {@code type}. */
    @FunctionalInterface
    public interface Draw {
        double[] values(int i, TensorType type, Random r);
    }

    public OpCase {
        inputs = List.copyOf(inputs);
        if (inputs.size() != op.arity()) {
            throw new IllegalArgumentException(name + ": " + op.opName() + " takes " + op.arity() + " inputs, the case gives "
                    + inputs.size());
        }
    }

    /** The name of the source node that feeds input {@code i}. */
    public static String input(int i) {
        return "x" + i;
    }

    public boolean isSource() {
        return op instanceof SourceOp;
    }

    /** The type of the op's output. */
    public TensorType output() {
        return isSource() ? ((SourceOp) op).type() : op.infer(inputs);
    }

    /**
     * The op alone, on sources {@link #input x0, x1, ...}: parameters where the input is floating
     * point (so autodiff differentiates it), data inputs where it is integer. A source op is the
     * graph's one node, named {@link #SOURCE}.
     */
    public Graph graph() {
        GraphBuilder b = new GraphBuilder();
        b.output("out", apply(b));
        return b.build();
    }

    /** Adds the case's op and its sources to {@code b}; returns the op's output. */
    public Value apply(GraphBuilder b) {
        if (isSource()) {
            return b.apply(op, SOURCE);
        }
        Value[] in = new Value[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            TensorType t = inputs.get(i);
            in[i] = t.dtype().isFloating() ? b.parameter(input(i), t, Init.normal(1))
                    : b.input(input(i), t, SourceOp.InputKind.DATA);
        }
        return b.apply(op, name, in);
    }

    /**
     * Values for every source of {@code g}: the case's draw for its inputs (or its one source), and
     * {@link OpCases#sources} for any other source the caller added.
     */
    public Map<String, double[]> sources(Graph g, Random r) {
        return OpCases.sources(g, r, (n, rnd) -> {
            int i = inputIndex(n.name());
            return i >= 0 ? draw.values(i, n.type(), rnd) : null;
        });
    }

    private int inputIndex(String node) {
        if (isSource()) {
            return node.equals(SOURCE) ? 0 : -1;
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (node.equals(input(i))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return name;
    }
}
