package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.autodiff.Autodiff;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the gradients autodiff builds against central finite differences, all in float64
 * (as {@code torch.autograd.gradcheck}), in exact arithmetic: a cast to a narrower type is the
 * identity here, since its rounding has no derivative finite differences could resolve. The result
 * gives, per parameter, the relative error ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) and both norms.
 */
public final class GradientCheck {
    /** Below this norm a gradient counts as zero (finite differences cannot resolve it relatively). */
    public static final double ZERO_NORM = 1e-8;

    /** The comparison for one parameter. */
    public record Result(double relativeError, double analyticNorm, double numericNorm) {
        /** Relative error under {@code tol}, or both gradients zero (e.g. a key bias, which softmax ignores). */
        public boolean passes(double tol) {
            return relativeError < tol || Math.max(analyticNorm, numericNorm) < ZERO_NORM;
        }
    }

    private GradientCheck() {
    }

    /** The comparison of each parameter's gradient, keyed by parameter name. */
    public static Map<String, Result> compare(Graph forward, String lossOutput, Map<String, double[]> sources, double h) {
        Graph g = Autodiff.backward(forward, lossOutput);
        double[][] values = ReferenceEvaluator.evaluate(g, sources, ReferenceEvaluator.Arithmetic.EXACT);
        int loss = forward.output(lossOutput);
        Map<String, Result> errors = new LinkedHashMap<>();
        for (Node p : forward.parameters()) {
            double[] analytic = values[g.gradients().get(p.id())];
            double[] numeric = numericGradient(forward, loss, sources, p.name(), h);
            double diff = 0;
            double na = 0;
            double nn = 0;
            for (int i = 0; i < analytic.length; i++) {
                diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
                na += analytic[i] * analytic[i];
                nn += numeric[i] * numeric[i];
            }
            double scale = Math.max(Math.sqrt(Math.max(na, nn)), 1e-300);
            errors.put(p.name(), new Result(Math.sqrt(diff) / scale, Math.sqrt(na), Math.sqrt(nn)));
        }
        return errors;
    }

    /** dL/dparam by central differences (L(x + h) − L(x − h)) / 2h, element by element. */
    public static double[] numericGradient(Graph forward, int loss, Map<String, double[]> sources, String param, double h) {
        Map<String, double[]> s = new LinkedHashMap<>(sources);
        double[] x = sources.get(param).clone();
        s.put(param, x);
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = ReferenceEvaluator.evaluate(forward, s, ReferenceEvaluator.Arithmetic.EXACT)[loss][0];
            x[i] = keep - h;
            double down = ReferenceEvaluator.evaluate(forward, s, ReferenceEvaluator.Arithmetic.EXACT)[loss][0];
            x[i] = keep;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }
}
