package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.NormalizationOp;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.kernels.FusedKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * The chains of a graph that one {@link FusedKernels} call computes: a scale and the softmax after
 * it, a softmax gradient and its scale, a bias add and its GELU, a residual add and the layer norm
 * after it, AdamW's two moments and its update. Every tensor of a chain is still written (later
 * nodes read them), each the same floats as unfused, so a fused run equals an unfused one bit for
 * bit. The earlier nodes of a chain are deferred to its last node: the executor allocates and counts
 * them where they stand (so peak memory is counted as before), computes them with the last, and
 * returns buffers freed in between only after that. A node joins a chain only if no node between it
 * and the chain's last reads it.
 */
final class FusedChains {
    /** A chain by its nodes; the last one runs the fused kernel. */
    sealed interface Chain {
        int last();
    }

    record ScaleSoftmax(int scale, int softmax) implements Chain {
        public int last() {
            return softmax;
        }
    }

    record SoftmaxGradScale(int grad, int scale) implements Chain {
        public int last() {
            return scale;
        }
    }

    record BiasGelu(int add, int gelu) implements Chain {
        public int last() {
            return gelu;
        }
    }

    record AddLayerNorm(int add, int norm) implements Chain {
        public int last() {
            return norm;
        }
    }

    record AdamStep(int m, int v, int apply) implements Chain {
        public int last() {
            return apply;
        }
    }

    private final Graph graph;
    private final Chain[] endingAt;
    /** For a deferred node, the last node of its chain; -1 for every other node. */
    private final int[] deferredTo;

    private FusedChains(Graph graph) {
        this.graph = graph;
        this.endingAt = new Chain[graph.size()];
        this.deferredTo = new int[graph.size()];
        java.util.Arrays.fill(deferredTo, -1);
    }

    /** No chains: every node runs its own kernel. */
    static FusedChains none(Graph g) {
        return new FusedChains(g);
    }

    /** Every chain of {@code g} (each node in one chain at most). */
    static FusedChains find(Graph g) {
        FusedChains c = new FusedChains(g);
        for (Node n : g.nodes()) {
            Chain chain = chainEndingAt(g, n);
            if (chain != null && c.free(chain)) {
                c.endingAt[n.id()] = chain;
                for (int first : c.earlier(chain)) {
                    c.deferredTo[first] = n.id();
                }
            }
        }
        return c;
    }

    private static Chain chainEndingAt(Graph g, Node n) {
        if (n.type().dtype() != DType.F32) {
            return null;
        }
        return switch (n.op()) {
            case NormalizationOp.Softmax s when is(g, n.input(0), ElementwiseOp.Scale.class) -> new ScaleSoftmax(n.input(0), n.id());
            case ElementwiseOp.Scale s when is(g, n.input(0), NormalizationOp.SoftmaxGrad.class) -> new SoftmaxGradScale(n.input(0), n.id());
            case ElementwiseOp.Unary u when u.activation() == Activation.GELU && isBiasAdd(g, n.input(0)) -> new BiasGelu(n.input(0), n.id());
            case NormalizationOp.LayerNorm ln when isSameShapeAdd(g, n.input(0)) -> new AddLayerNorm(n.input(0), n.id());
            case OptimizerOp.AdamApply a when adamMoments(g, n, a) -> new AdamStep(n.input(1), n.input(2), n.id());
            default -> null;
        };
    }

    private static boolean is(Graph g, int id, Class<?> op) {
        return op.isInstance(g.node(id).op()) && g.node(id).type().dtype() == DType.F32;
    }

    private static boolean isAdd(Graph g, int id) {
        return is(g, id, ElementwiseOp.Binary.class) && ((ElementwiseOp.Binary) g.node(id).op()).kind() == BinaryKind.ADD;
    }

    /** a + bias, a of the output's shape, bias one row of its last dimension. */
    private static boolean isBiasAdd(Graph g, int id) {
        if (!isAdd(g, id)) {
            return false;
        }
        Node add = g.node(id);
        Shape out = add.type().shape();
        List<io.github.alpa4j.ir.TensorType> in = g.inputTypes(add);
        return out.rank() > 0 && in.get(0).shape().equals(out) && in.get(1).shape().rank() == 1 && in.get(1).dim(0) == out.dim(-1);
    }

    private static boolean isSameShapeAdd(Graph g, int id) {
        if (!isAdd(g, id)) {
            return false;
        }
        Node add = g.node(id);
        return g.inputTypes(add).stream().allMatch(t -> t.shape().equals(add.type().shape()));
    }

    /** adamApply(p, m', v', t) with m' = adamMoment(m, g, β1), v' = adamMoment(v, g, β2, squared) of one gradient and its betas. */
    private static boolean adamMoments(Graph g, Node apply, OptimizerOp.AdamApply a) {
        if (!(g.node(apply.input(1)).op() instanceof OptimizerOp.AdamMoment m) || m.squared() || m.beta() != a.beta1()
                || !(g.node(apply.input(2)).op() instanceof OptimizerOp.AdamMoment v) || !v.squared() || v.beta() != a.beta2()) {
            return false;
        }
        return g.node(apply.input(1)).input(1) == g.node(apply.input(2)).input(1);
    }

    private List<Integer> earlier(Chain c) {
        return switch (c) {
            case ScaleSoftmax s -> List.of(s.scale());
            case SoftmaxGradScale s -> List.of(s.grad());
            case BiasGelu b -> List.of(b.add());
            case AddLayerNorm a -> List.of(a.add());
            case AdamStep a -> List.of(a.m(), a.v());
        };
    }

    /** No node of the chain is in another; no node between its first and its last reads the earlier ones. */
    private boolean free(Chain c) {
        List<Integer> first = earlier(c);
        int start = first.stream().mapToInt(Integer::intValue).min().orElseThrow();
        for (int id : first) {
            if (deferredTo[id] >= 0 || endingAt[id] != null) {
                return false;
            }
        }
        for (int between = start + 1; between < c.last(); between++) {
            if (first.contains(between)) {
                continue;
            }
            for (int in : graph.node(between).inputs()) {
                if (first.contains(in)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The last node of the chain that computes {@code id}, or -1 when it is not deferred. */
    int deferredTo(int id) {
        return deferredTo[id];
    }

    /** The chain whose last node is {@code id}, or null. */
    Chain endingAt(int id) {
        return endingAt[id];
    }

    /** Runs chain {@code c} on the buffers of the step ({@code buf} by node id). */
    @SuppressWarnings("unchecked")
    <F> void run(FusedKernels<F> k, Chain c, Object[] buf) {
        switch (c) {
            case ScaleSoftmax s -> {
                Node softmax = graph.node(s.softmax());
                Shape sh = softmax.type().shape();
                float alpha = (float) ((ElementwiseOp.Scale) graph.node(s.scale()).op()).alpha();
                int causal = ((NormalizationOp.Softmax) softmax.op()).causal() ? sh.dim(-2) : 0;
                k.scaleSoftmax((F) buf[graph.node(s.scale()).input(0)], alpha, (F) buf[s.scale()], (F) buf[s.softmax()],
                        softmax.type().size() / sh.dim(-1), sh.dim(-1), causal);
            }
            case SoftmaxGradScale s -> {
                Node grad = graph.node(s.grad());
                float alpha = (float) ((ElementwiseOp.Scale) graph.node(s.scale()).op()).alpha();
                k.softmaxGradScale((F) buf[grad.input(0)], (F) buf[grad.input(1)], alpha, (F) buf[s.grad()], (F) buf[s.scale()],
                        grad.type().size() / grad.type().dim(-1), grad.type().dim(-1));
            }
            case BiasGelu b -> {
                Node add = graph.node(b.add());
                k.biasGelu((F) buf[add.input(0)], (F) buf[add.input(1)], (F) buf[b.add()], (F) buf[b.gelu()],
                        add.type().size() / add.type().dim(-1), add.type().dim(-1));
            }
            case AddLayerNorm a -> {
                Node add = graph.node(a.add());
                Node norm = graph.node(a.norm());
                k.addLayerNorm((F) buf[add.input(0)], (F) buf[add.input(1)], (F) buf[norm.input(1)], (F) buf[norm.input(2)],
                        (F) buf[a.add()], (F) buf[a.norm()], add.type().size() / add.type().dim(-1), add.type().dim(-1),
                        (float) ((NormalizationOp.LayerNorm) norm.op()).eps());
            }
            case AdamStep a -> {
                Node apply = graph.node(a.apply());
                Node m = graph.node(a.m());
                OptimizerOp.AdamApply op = (OptimizerOp.AdamApply) apply.op();
                k.adamStep((F) buf[apply.input(0)], (F) buf[m.input(1)], (F) buf[m.input(0)], (F) buf[graph.node(a.v()).input(0)],
                        (F) buf[apply.input(3)], (F) buf[a.apply()], (F) buf[a.m()], (F) buf[a.v()], apply.type().size(),
                        (float) op.lr(), (float) op.beta1(), (float) op.beta2(), (float) op.eps(), (float) op.weightDecay());
            }
        }
    }

    /** How many chains of each kind, e.g. {@code [ScaleSoftmax x2, AdamStep x35]}, for tests and logs. */
    List<String> summary() {
        java.util.Map<String, Integer> count = new java.util.LinkedHashMap<>();
        for (Chain c : endingAt) {
            if (c != null) {
                count.merge(c.getClass().getSimpleName(), 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        count.forEach((k, v) -> out.add(k + " x" + v));
        return out;
    }
}
