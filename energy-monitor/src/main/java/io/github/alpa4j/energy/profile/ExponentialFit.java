package io.github.alpa4j.energy.profile;

import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.fitting.leastsquares.MultivariateJacobianFunction;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;

import java.util.List;

/**
 * Least-squares fit of {@code a·exp(b·(q − q₀)) + c}, a ≥ 0, to a computation's candidate options
 * (effective energy against quantised time), as Perseus fits its cost model.
 *
 * <p>The starting point comes from variable projection: for a fixed b the model is linear in a
 * and c, so a one-dimensional search over b finds the basin without the initial-guess grid the
 * authors needed. Commons Math's Levenberg–Marquardt then refines all three together.
 */
public final class ExponentialFit {
    private static final double[] RATE_GRID = {-16, -12, -8, -6, -4, -3, -2, -1.5, -1, -0.5, -0.25, -0.1,
        0.1, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8};

    private ExponentialFit() {
    }

    /** Fits the options, fastest first; one option gives a constant. */
    public static ExponentialEnergyModel fit(List<ExecutionOption> options) {
        long origin = options.stream().mapToLong(ExecutionOption::quanta).min().orElseThrow();
        double[] x = options.stream().mapToDouble(o -> o.quanta() - origin).toArray();
        double[] y = options.stream().mapToDouble(ExecutionOption::effectiveEnergyJoules).toArray();
        double span = 0;
        for (double xi : x) {
            span = Math.max(span, xi);
        }
        if (span == 0) {
            return new ExponentialEnergyModel(0, 0, mean(y), origin);
        }
        double[] best = projected(x, y, RATE_GRID[0] / span);
        for (double k : RATE_GRID) {
            double[] candidate = projected(x, y, k / span);
            if (candidate[3] < best[3]) {
                best = candidate;
            }
        }
        best = goldenSection(x, y, best[1] - 0.5 / span, best[1] + 0.5 / span, best);
        double[] refined = levenbergMarquardt(x, y, best);
        if (refined != null && refined[3] < best[3]) {
            best = refined;
        }
        return new ExponentialEnergyModel(best[0], best[1], best[2], origin);
    }

    /** The best (a, c) for a fixed rate b, with a clamped at zero: {a, b, c, squared error}. */
    static double[] projected(double[] x, double[] y, double b) {
        int n = x.length;
        double[] phi = new double[n];
        double meanPhi = 0;
        double meanY = mean(y);
        for (int i = 0; i < n; i++) {
            phi[i] = Math.exp(b * x[i]);
            meanPhi += phi[i] / n;
        }
        double covariance = 0;
        double variance = 0;
        for (int i = 0; i < n; i++) {
            covariance += (phi[i] - meanPhi) * (y[i] - meanY);
            variance += (phi[i] - meanPhi) * (phi[i] - meanPhi);
        }
        double a = variance > 0 ? Math.max(0, covariance / variance) : 0;
        double c = meanY - a * meanPhi;
        return new double[] {a, b, c, squaredError(x, y, a, b, c)};
    }

    private static double[] goldenSection(double[] x, double[] y, double lo, double hi, double[] start) {
        double ratio = (Math.sqrt(5) - 1) / 2;
        double[] best = start;
        double left = hi - ratio * (hi - lo);
        double right = lo + ratio * (hi - lo);
        double[] atLeft = projected(x, y, left);
        double[] atRight = projected(x, y, right);
        for (int i = 0; i < 60; i++) {
            if (atLeft[3] < atRight[3]) {
                hi = right;
                right = left;
                atRight = atLeft;
                left = hi - ratio * (hi - lo);
                atLeft = projected(x, y, left);
            } else {
                lo = left;
                left = right;
                atLeft = atRight;
                right = lo + ratio * (hi - lo);
                atRight = projected(x, y, right);
            }
        }
        for (double[] candidate : new double[][] {atLeft, atRight}) {
            if (candidate[3] < best[3]) {
                best = candidate;
            }
        }
        return best;
    }

    private static double[] levenbergMarquardt(double[] x, double[] y, double[] start) {
        MultivariateJacobianFunction model = point -> {
            double a = point.getEntry(0);
            double b = point.getEntry(1);
            double[] value = new double[x.length];
            double[][] jacobian = new double[x.length][3];
            for (int i = 0; i < x.length; i++) {
                double e = Math.exp(b * x[i]);
                value[i] = a * e + point.getEntry(2);
                jacobian[i][0] = e;
                jacobian[i][1] = a * x[i] * e;
                jacobian[i][2] = 1;
            }
            return new Pair<>(new ArrayRealVector(value, false), new Array2DRowRealMatrix(jacobian, false));
        };
        try {
            LeastSquaresOptimizer.Optimum optimum = new LevenbergMarquardtOptimizer().optimize(new LeastSquaresBuilder()
                    .start(new double[] {start[0], start[1], start[2]})
                    .model(model)
                    .target(y)
                    .parameterValidator(ExponentialFit::clampAmplitude)
                    .maxEvaluations(10_000)
                    .maxIterations(10_000)
                    .build());
            RealVector p = optimum.getPoint();
            double a = Math.max(0, p.getEntry(0));
            double error = squaredError(x, y, a, p.getEntry(1), p.getEntry(2));
            return Double.isFinite(error) ? new double[] {a, p.getEntry(1), p.getEntry(2), error} : null;
        } catch (MathIllegalStateException e) {
            return null;
        }
    }

    /** Keeps a ≥ 0 so the curve stays convex (REFERENCES.md §3, "Fit"). */
    private static RealVector clampAmplitude(RealVector p) {
        if (p.getEntry(0) < 0) {
            RealVector clamped = p.copy();
            clamped.setEntry(0, 0);
            return clamped;
        }
        return p;
    }

    private static double squaredError(double[] x, double[] y, double a, double b, double c) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double r = a * Math.exp(b * x[i]) + c - y[i];
            sum += r * r;
        }
        return sum;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
