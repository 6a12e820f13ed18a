package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.EnergyInputException;

import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.util.Pair;

import java.util.Optional;

/** Commons Math's Levenberg–Marquardt on a residual function, from several starts; the best wins. */
final class LeastSquares {
    private static final int MAX_ITERATIONS = 2000;

    /** Residuals of a parameter vector, and their derivatives (forward differences unless overridden). */
    interface Residuals {
        double[] at(double[] parameters);

        default double[][] jacobian(double[] parameters, double[] residuals) {
            double[][] j = new double[residuals.length][parameters.length];
            for (int k = 0; k < parameters.length; k++) {
                double[] shifted = parameters.clone();
                double h = step(parameters[k]);
                shifted[k] += h;
                double[] r = at(shifted);
                for (int i = 0; i < residuals.length; i++) {
                    j[i][k] = (r[i] - residuals[i]) / h;
                }
            }
            return j;
        }

        static double step(double parameter) {
            return 1e-6 * Math.max(1, Math.abs(parameter));
        }
    }

    /** A minimum: its parameters and its sum of squared residuals. */
    record Minimum(double[] parameters, double cost) {
    }

    private LeastSquares() {
    }

    static Minimum best(Residuals residuals, Iterable<double[]> starts) {
        Minimum best = null;
        for (double[] start : starts) {
            Optional<Minimum> m = minimise(residuals, start);
            if (m.isPresent() && (best == null || m.get().cost() < best.cost())) {
                best = m.get();
            }
        }
        if (best == null) {
            throw new EnergyInputException("the energy model could not be fitted to this profile: Levenberg-Marquardt "
                    + "converged from none of its starts (are the times and energies of one GPU, in seconds and joules?)");
        }
        return best;
    }

    static Optional<Minimum> minimise(Residuals residuals, double[] start) {
        int n = residuals.at(start).length;
        LeastSquaresBuilder builder = new LeastSquaresBuilder()
                .model(point -> {
                    double[] p = point.toArray();
                    double[] r = residuals.at(p);
                    return new Pair<>(new ArrayRealVector(r, false),
                            new Array2DRowRealMatrix(residuals.jacobian(p, r), false));
                })
                .target(new double[n])
                .start(start)
                .maxEvaluations(MAX_ITERATIONS * 2)
                .maxIterations(MAX_ITERATIONS);
        try {
            LeastSquaresOptimizer.Optimum optimum = new LevenbergMarquardtOptimizer().optimize(builder.build());
            double[] p = optimum.getPoint().toArray();
            double cost = 0;
            for (double r : residuals.at(p)) {
                cost += r * r;
            }
            return Double.isFinite(cost) ? Optional.of(new Minimum(p, cost)) : Optional.empty();
        } catch (MathIllegalStateException | IllegalArgumentException e) {
            // no convergence, or a step into parameters no GPU can have: this start found nothing
            return Optional.empty();
        }
    }
}
