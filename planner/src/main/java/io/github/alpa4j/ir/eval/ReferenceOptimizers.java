package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.OptimizerOp;

/** The optimizer updates of {@link ReferenceEvaluator}, in float64, as the equations of SGD and AdamW state them. */
final class ReferenceOptimizers {
    private ReferenceOptimizers() {
    }

    /** The value of optimizer node {@code n} from its inputs' values in {@code v}. */
    static double[] update(OptimizerOp o, Node n, double[][] v) {
        double[] x = v[n.input(0)];
        double[] r = new double[x.length];
        switch (o) {
            case OptimizerOp.MomentumUpdate m -> {
                double[] g = v[n.input(1)];
                double[] p = v[n.input(2)];
                for (int i = 0; i < r.length; i++) {
                    r[i] = m.momentum() * x[i] + g[i] + m.weightDecay() * p[i];
                }
            }
            case OptimizerOp.SgdApply s -> {
                double[] u = v[n.input(1)];
                for (int i = 0; i < r.length; i++) {
                    r[i] = x[i] - s.lr() * u[i];
                }
            }
            case OptimizerOp.AdamMoment m -> {
                double[] g = v[n.input(1)];
                for (int i = 0; i < r.length; i++) {
                    double gi = m.squared() ? g[i] * g[i] : g[i];
                    r[i] = m.beta() * x[i] + (1 - m.beta()) * gi;
                }
            }
            case OptimizerOp.AdamApply a -> {
                double[] m = v[n.input(1)];
                double[] s = v[n.input(2)];
                double t = v[n.input(3)][0];
                double c1 = 1 - Math.pow(a.beta1(), t);
                double c2 = 1 - Math.pow(a.beta2(), t);
                for (int i = 0; i < r.length; i++) {
                    double upd = (m[i] / c1) / (Math.sqrt(s[i] / c2) + a.eps()) + a.weightDecay() * x[i];
                    r[i] = x[i] - a.lr() * upd;
                }
            }
            case OptimizerOp.StepIncrement s -> r[0] = x[0] + 1;
        }
        return r;
    }
}
