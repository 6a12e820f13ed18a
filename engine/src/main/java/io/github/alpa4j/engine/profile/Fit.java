package io.github.alpa4j.engine.profile;

/**
 * A straight line {@code y = a + b·x} fitted to measurements by least squares on relative errors (so
 * that small and large messages weigh alike), with {@code a ≥ 0} and {@code b > 0}, and its residual:
 * the root mean square of the relative errors. The α and β of a collective, or the fixed cost and
 * the seconds per byte of an op family.
 */
public record Fit(double a, double b, double residual, int points) {

    public static Fit of(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new IllegalArgumentException("a fit needs at least two points, got " + x.length);
        }
        // minimise sum ((a + b x_i - y_i) / y_i)^2: weighted least squares with weights 1 / y_i^2
        double sw = 0;
        double swx = 0;
        double swxx = 0;
        double swy = 0;
        double swxy = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(y[i] > 0) || !(x[i] >= 0)) {
                throw new IllegalArgumentException("measurements must be positive, got x " + x[i] + ", y " + y[i]);
            }
            double w = 1 / (y[i] * y[i]);
            sw += w;
            swx += w * x[i];
            swxx += w * x[i] * x[i];
            swy += w * y[i];
            swxy += w * x[i] * y[i];
        }
        double det = sw * swxx - swx * swx;
        double a = det == 0 ? 0 : (swy * swxx - swx * swxy) / det;
        double b = det == 0 ? 0 : (sw * swxy - swx * swy) / det;
        if (a < 0) {
            a = 0; // no negative fixed cost: the best line through the origin
            b = swxy / swxx;
        }
        if (!(b > 0)) {
            b = Double.MIN_NORMAL; // flat: the time does not grow with the size
            a = swy / sw;
        }
        double ss = 0;
        for (int i = 0; i < x.length; i++) {
            double e = (a + b * x[i] - y[i]) / y[i];
            ss += e * e;
        }
        return new Fit(a, b, Math.sqrt(ss / x.length), x.length);
    }

    /** This fit with fixed cost {@code a} instead (its residual as fitted). */
    public Fit withFixed(double a) {
        return new Fit(a, b, residual, points);
    }

    public double at(double x) {
        return a + b * x;
    }
}
