package io.github.alpa4j.ir;

import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Graph} node by node, inferring every output type as it goes (a shape mismatch
 * fails at the line that caused it). Names are prefixed by the current scope ({@code block0/}).
 */
public final class GraphBuilder {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();
    private final Map<Integer, Integer> gradients = new LinkedHashMap<>();
    private final List<Graph.Update> updates = new ArrayList<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private Phase phase = Phase.FORWARD;

    public GraphBuilder() {
    }

    /** A builder that continues an existing graph. */
    public static GraphBuilder extending(Graph g) {
        GraphBuilder b = new GraphBuilder();
        b.nodes.addAll(g.nodes());
        b.outputs.putAll(g.outputs());
        b.gradients.putAll(g.gradients());
        b.updates.addAll(g.updates());
        return b;
    }

    public Graph build() {
        return new Graph(nodes, outputs, gradients, updates);
    }

    public void setPhase(Phase p) {
        this.phase = p;
    }

    public Phase phase() {
        return phase;
    }

    /** A name scope; closing it returns to the enclosing one. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Opens a name scope: nodes created inside are named {@code name/...}. */
    public Scope scope(String name) {
        scopes.addLast(name);
        return scopes::removeLast;
    }

    public Value value(int id) {
        return new Value(id, nodes.get(id).type());
    }

    public Node node(int id) {
        return nodes.get(id);
    }

    public int size() {
        return nodes.size();
    }

    /** Adds a node applying {@code op} to {@code inputs}; {@code name} may be null for a generated one. */
    public Value apply(Op op, String name, Value... inputs) {
        List<Integer> ids = new ArrayList<>(inputs.length);
        List<TensorType> types = new ArrayList<>(inputs.length);
        for (Value v : inputs) {
            ids.add(v.id());
            types.add(nodes.get(v.id()).type());
        }
        TensorType t;
        int id = nodes.size();
        String full = qualify(name != null ? name : op.opName() + "_" + id);
        try {
            t = op.infer(types);
        } catch (ShapeException e) {
            throw new ShapeException(full + ": " + e.getMessage());
        }
        nodes.add(new Node(id, op, ids, t, full, phase));
        return new Value(id, t);
    }

    public Value apply(Op op, Value... inputs) {
        return apply(op, null, inputs);
    }

    private String qualify(String name) {
        if (scopes.isEmpty()) {
            return name;
        }
        return String.join("/", scopes) + "/" + name;
    }

    // --- sources

    public Value parameter(String name, TensorType type, Init init) {
        return apply(new SourceOp.Parameter(type, init), name);
    }

    public Value state(String name, TensorType type, Init init) {
        return apply(new SourceOp.State(type, init), name);
    }

    public Value input(String name, TensorType type, SourceOp.InputKind kind) {
        return apply(new SourceOp.Input(type, kind), name);
    }

    public Value constant(TensorType type, double value) {
        return apply(new SourceOp.Constant(type, value), (String) null);
    }

    // --- arithmetic

    public Value matmul(Value a, Value b) {
        return apply(MatmulOp.MatMul.plain(), a, b);
    }

    public Value matmul(Value a, Value b, boolean transA, boolean transB) {
        return apply(new MatmulOp.MatMul(transA, transB), a, b);
    }

    public Value add(Value a, Value b) {
        return apply(new ElementwiseOp.Binary(BinaryKind.ADD), a, b);
    }

    public Value sub(Value a, Value b) {
        return apply(new ElementwiseOp.Binary(BinaryKind.SUB), a, b);
    }

    public Value mul(Value a, Value b) {
        return apply(new ElementwiseOp.Binary(BinaryKind.MUL), a, b);
    }

    public Value div(Value a, Value b) {
        return apply(new ElementwiseOp.Binary(BinaryKind.DIV), a, b);
    }

    /** x + bias, where bias is [n] and x is [..., n]. */
    public Value biasAdd(Value x, Value bias) {
        if (bias.rank() != 1 || x.rank() < 1 || bias.dim(0) != x.dim(-1)) {
            throw new ShapeException(qualify("bias_add") + ": bias " + bias.type() + " does not match " + x.type());
        }
        return add(x, bias);
    }

    public Value relu(Value x) {
        return apply(new ElementwiseOp.Unary(Activation.RELU), x);
    }

    public Value gelu(Value x) {
        return apply(new ElementwiseOp.Unary(Activation.GELU), x);
    }

    public Value activation(Activation a, Value x) {
        return apply(new ElementwiseOp.Unary(a), x);
    }

    public Value scale(Value x, double alpha) {
        return apply(new ElementwiseOp.Scale(alpha), x);
    }

    /** x as type {@code to}: x itself when it has that type already (so an f32 model gains no node). */
    public Value cast(Value x, DType to) {
        return x.type().dtype() == to ? x : apply(new ElementwiseOp.Cast(to), x);
    }

    // --- layout

    public Value reshape(Value x, int... dims) {
        return apply(new LayoutOp.Reshape(Shape.of(dims)), x);
    }

    public Value reshape(Value x, Shape s) {
        return apply(new LayoutOp.Reshape(s), x);
    }

    public Value permute(Value x, int... perm) {
        return apply(LayoutOp.Permute.of(perm), x);
    }

    /** Swaps the last two dimensions. */
    public Value transpose(Value x) {
        int r = x.rank();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        p[r - 1] = r - 2;
        p[r - 2] = r - 1;
        return permute(x, p);
    }

    public Value broadcastTo(Value x, Shape s) {
        return apply(new LayoutOp.BroadcastTo(s), x);
    }

    // --- reductions

    public Value reduceSum(Value x, boolean keepDims, int... axes) {
        return apply(new ReductionOp.ReduceSum(normalise(x, axes), keepDims), x);
    }

    public Value reduceMean(Value x, boolean keepDims, int... axes) {
        return apply(new ReductionOp.ReduceMean(normalise(x, axes), keepDims), x);
    }

    private static List<Integer> normalise(Value x, int... axes) {
        return java.util.Arrays.stream(axes).map(a -> x.shape().axis(a)).sorted().distinct().boxed().toList();
    }

    // --- normalisation, embedding, losses

    public Value softmax(Value x, boolean causal) {
        return apply(new NormalizationOp.Softmax(causal), x);
    }

    public Value layerNorm(Value x, Value gamma, Value beta, double eps) {
        return apply(new NormalizationOp.LayerNorm(eps), x, gamma, beta);
    }

    public Value embedding(Value ids, Value table) {
        return apply(new EmbeddingOp.Embedding(), ids, table);
    }

    public Value crossEntropy(Value logits, Value labels) {
        return apply(new LossOp.CrossEntropy(), logits, labels);
    }

    public Value mse(Value pred, Value target) {
        return apply(new LossOp.MseLoss(), pred, target);
    }

    // --- graph-level records

    public void output(String name, Value v) {
        outputs.put(name, v.id());
    }

    public void gradient(Value parameter, Value grad) {
        gradients.put(parameter.id(), grad.id());
    }

    public void update(Value variable, Value newValue) {
        updates.add(new Graph.Update(variable.id(), newValue.id()));
    }
}
