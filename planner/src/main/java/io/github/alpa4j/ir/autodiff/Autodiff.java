package io.github.alpa4j.ir.autodiff;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.OptimizerOp;
import io.github.alpa4j.ir.Phase;
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

    /** The forward graph plus backward nodes; its {@code gradients()} maps each parameter to dL/dparam. */
    public static Graph backward(Graph forward, String lossOutput) {
        GraphBuilder b = GraphBuilder.extending(forward);
        Map<Integer, Value> grads = gradients(b, forward, forward.output(lossOutput));
        for (Node p : forward.parameters()) {
            b.gradient(b.value(p.id()), grads.get(p.id()));
        }
        return b.build();
    }

    /** Forward, backward and optimizer update; after a step every variable takes its updated value. */
    public static Graph training(Graph forward, String lossOutput, Optimizer optimizer) {
        GraphBuilder b = GraphBuilder.extending(backward(forward, lossOutput));
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
    static Map<Integer, Value> gradients(GraphBuilder b, Graph g, int loss) {
        if (g.node(loss).type().rank() != 0) {
            throw new IllegalArgumentException("loss must be a scalar, got " + g.node(loss).type());
        }
        boolean[] needed = relevant(g, loss);
        Phase saved = b.phase();
        b.setPhase(Phase.BACKWARD);
        Map<Integer, Value> acc = new HashMap<>();
        acc.put(loss, b.constant(g.node(loss).type(), 1.0));
        GradContext ctx = new GradContext(b);
        for (int id = loss; id >= 0; id--) {
            Value dy = acc.get(id);
            Node n = g.node(id);
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
