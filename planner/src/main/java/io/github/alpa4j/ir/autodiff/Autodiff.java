package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation over the graph IR. {@link #training} turns a forward
 * graph with a scalar loss into a training step: forward, backward (the gradient of every
 * parameter) and the optimizer update, all as graph nodes.
 */
public final class Autodiff {
    private Autodiff() {
    }

    /** Name of the input that feeds dL/dloss in a loss-scaled step: the loss scale S. */
    public static final String LOSS_SCALE = "loss_scale";
    /** Name of the input that feeds 1/S, by which a loss-scaled step's gradients are unscaled. */
    public static final String INV_LOSS_SCALE = "inv_loss_scale";

    /** The forward graph plus backward nodes; its {@code gradients()} maps each parameter to dL/dparam. */
    public static Graph backward(Graph forward, String lossOutput) {
        return backward(forward, lossOutput, false);
    }

    /**
     * As {@link #backward(Graph, String)}; with {@code lossScaled} (fp16's dynamic loss scaling) the backward
     * pass starts from dL/dloss = S, input {@link #LOSS_SCALE}, so small gradients stay above f16's underflow,
     * and each parameter's gradient is multiplied by 1/S, input {@link #INV_LOSS_SCALE}, as soon as it is
     * complete: in the backward pass, where its layer's backward is (a pipeline sums unscaled gradients).
     */
    public static Graph backward(Graph forward, String lossOutput, boolean lossScaled) {
        GraphBuilder b = GraphBuilder.extending(forward);
        Map<Integer, Value> grads = gradients(b, forward, forward.output(lossOutput), lossScaled);
        for (Node p : forward.parameters()) {
            b.gradient(b.value(p.id()), grads.get(p.id()));
        }
        return b.build();
    }

    /** Forward, backward and optimizer update; after a step every variable takes its updated value. */
    public static Graph training(Graph forward, String lossOutput, Optimizer optimizer) {
        return training(forward, lossOutput, optimizer, false);
    }

    /** As {@link #training(Graph, String, Optimizer)}, with the gradients loss-scaled as {@link #backward(Graph, String, boolean)} says. */
    public static Graph training(Graph forward, String lossOutput, Optimizer optimizer, boolean lossScaled) {
        GraphBuilder b = GraphBuilder.extending(backward(forward, lossOutput, lossScaled));
        b.setPhase(Phase.UPDATE);
        Graph withGrads = b.build();
        Value step = null;
        if (optimizer instanceof Optimizer.AdamW) {
            Value t = b.state("optimizer/step", TensorType.scalarF32(), Init.zeros());
            step = b.apply(new OptimizerOp.StepIncrement(), "optimizer/step_next", t);
            b.update(t, step);
        }
        for (Node p : forward.parameters()) {
            Value param = b.value(p.id());
            Value g = b.value(withGrads.gradients().get(p.id()));
            switch (optimizer) {
                case Optimizer.Sgd s -> sgd(b, p, param, g, s);
                case Optimizer.AdamW a -> adamw(b, p, param, g, step, a);
            }
        }
        return b.build();
    }

    private static void sgd(GraphBuilder b, Node p, Value param, Value g, Optimizer.Sgd s) {
        Value u = g;
        if (s.momentum() > 0) {
            Value v = b.state(p.name() + "/momentum", p.type(), Init.zeros());
            u = b.apply(new OptimizerOp.MomentumUpdate(s.momentum(), s.weightDecay()), p.name() + "/momentum_next", v, g, param);
            b.update(v, u);
        } else if (s.weightDecay() > 0) {
            // μ = 0: μ·v vanishes, so g stands in for v
            u = b.apply(new OptimizerOp.MomentumUpdate(0, s.weightDecay()), p.name() + "/decayed_grad", g, g, param);
        }
        b.update(param, b.apply(new OptimizerOp.SgdApply(s.lr()), p.name() + "/next", param, u));
    }

    private static void adamw(GraphBuilder b, Node p, Value param, Value g, Value step, Optimizer.AdamW a) {
        Value m = b.state(p.name() + "/adam_m", p.type(), Init.zeros());
        Value v = b.state(p.name() + "/adam_v", p.type(), Init.zeros());
        Value m2 = b.apply(new OptimizerOp.AdamMoment(a.beta1(), false), p.name() + "/adam_m_next", m, g);
        Value v2 = b.apply(new OptimizerOp.AdamMoment(a.beta2(), true), p.name() + "/adam_v_next", v, g);
        Value next = b.apply(new OptimizerOp.AdamApply(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay()),
                p.name() + "/next", param, m2, v2, step);
        b.update(m, m2);
        b.update(v, v2);
        b.update(param, next);
    }

    /**
     * Appends backward nodes for dL/dx to {@code b} for every parameter x of {@code g}, where L is
     * node {@code loss}; parameters the loss does not depend on get a zero gradient.
     */
    static Map<Integer, Value> gradients(GraphBuilder b, Graph g, int loss, boolean lossScaled) {
        if (g.node(loss).type().rank() != 0) {
            throw new IllegalArgumentException("loss must be a scalar, got " + g.node(loss).type());
        }
        if (lossScaled && !g.node(loss).type().equals(TensorType.scalarF32())) {
            throw new IllegalArgumentException("a loss-scaled step needs an f32 loss, got " + g.node(loss).type());
        }
        boolean[] needed = relevant(g, loss);
        Phase saved = b.phase();
        b.setPhase(Phase.BACKWARD);
        Map<Integer, Value> acc = new HashMap<>();
        acc.put(loss, lossScaled ? b.input(LOSS_SCALE, TensorType.scalarF32(), SourceOp.InputKind.LOSS_SCALE)
                : b.constant(g.node(loss).type(), 1.0));
        Value inverse = lossScaled ? b.input(INV_LOSS_SCALE, TensorType.scalarF32(), SourceOp.InputKind.LOSS_SCALE) : null;
        GradContext ctx = new GradContext(b);
        for (int id = loss; id >= 0; id--) {
            Value dy = acc.get(id);
            Node n = g.node(id);
            if (dy != null && n.isParameter() && lossScaled) {
                // every reader of the parameter comes later in the graph: its gradient is complete here
                acc.put(id, b.apply(new ElementwiseOp.Binary(ElementwiseOp.BinaryKind.MUL), n.name() + "/unscaled_grad", dy, inverse));
            }
            if (dy == null || n.isSource()) {
                continue;
            }
            List<Value> dins = GradientRules.vjp(ctx, n, dy);
            for (int i = 0; i < n.inputs().size(); i++) {
                int in = n.input(i);
                Value d = dins.get(i);
                if (d == null || !needed[in]) {
                    continue;
                }
                acc.merge(in, d, b::add);
            }
        }
        Map<Integer, Value> result = new LinkedHashMap<>();
        for (Node p : g.parameters()) {
            Value d = acc.get(p.id());
            result.put(p.id(), d != null ? d : b.constant(p.type(), 0.0));
        }
        b.setPhase(saved);
        return result;
    }

    /** Nodes that lie on a path from a parameter to the loss (only they need a gradient). */
    private static boolean[] relevant(Graph g, int loss) {
        boolean[] fromParam = new boolean[g.size()];
        for (Node n : g.nodes()) {
            if (n.isParameter()) {
                fromParam[n.id()] = true;
            } else if (n.type().dtype().isFloating()) {
                for (int in : n.inputs()) {
                    fromParam[n.id()] |= fromParam[in];
                }
            }
        }
        boolean[] toLoss = new boolean[g.size()];
        toLoss[loss] = true;
        for (int id = loss; id >= 0; id--) {
            if (toLoss[id]) {
                for (int in : g.node(id).inputs()) {
                    toLoss[in] = true;
                }
            }
        }
        boolean[] r = new boolean[g.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = fromParam[i] && toLoss[i];
        }
        return r;
    }
}
