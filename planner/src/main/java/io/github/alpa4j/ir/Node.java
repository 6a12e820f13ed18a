package io.github.alpa4j.ir;

import java.util.List;

/** One node of a {@link Graph}: an op applied to earlier nodes. {@code id} is its index in the graph. */
public record Node(int id, Op op, List<Integer> inputs, TensorType type, String name, Phase phase) {
    public Node {
        inputs = List.copyOf(inputs);
    }

    public int input(int i) {
        return inputs.get(i);
    }

    public boolean isSource() {
        return op instanceof SourceOp;
    }

    public boolean isParameter() {
        return op instanceof SourceOp.Parameter;
    }

    /** Parameters and optimizer states: tensors that persist across steps. */
    public boolean isVariable() {
        return op instanceof SourceOp.Parameter || op instanceof SourceOp.State;
    }

    @Override
    public String toString() {
        return "%" + id + " " + name + " = " + op.opName() + inputs.stream().map(i -> "%" + i).toList() + " : " + type;
    }
}
