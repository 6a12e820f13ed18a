package io.github.alpa4j.planner.cost;

import java.util.Arrays;

/**
 * The FLOP/s a device achieves on one (batched) matrix product, as a function of its shape: small
 * products fill a device's units less than large ones.
 */
public sealed interface MatmulRates permits MatmulRates.Saturating, MatmulRates.Measured, MatmulRates.Scaled {

    /** Achieved FLOP/s of {@code batch} products of an m×k by a k×n matrix. */
    double flopsPerSecond(long m, long n, long k, long batch);

    /**
     * An assumed curve: {@code peak · maxEfficiency · w / (w + halfWork)} for w = 2·m·n·k·batch FLOPs,
     * so large products approach {@code maxEfficiency} of the peak and one of {@code halfWork} FLOPs
     * reaches half of that. {@code maxEfficiency = 1, halfWork = 0} is the ideal roofline.
     */
    record Saturating(double peak, double maxEfficiency, double halfWorkFlops) implements MatmulRates {
        public Saturating {
            if (!(peak > 0) || !(maxEfficiency > 0) || maxEfficiency > 1 || !(halfWorkFlops >= 0)) {
                throw new IllegalArgumentException("bad matmul curve: peak " + peak + ", efficiency " + maxEfficiency
                        + ", half work " + halfWorkFlops);
            }
        }

        @Override
        public double flopsPerSecond(long m, long n, long k, long batch) {
            double w = 2.0 * m * n * k * batch;
            return peak * maxEfficiency * (halfWorkFlops == 0 ? 1 : w / (w + halfWorkFlops));
        }
    }

    /**
     * Rates measured on a grid of m, n, k and batch (ascending, each at least 1), row-major in that
     * order; interpolated multilinearly in the logarithms of the sizes and the rate, and held constant
     * beyond the grid's edges (a device's rate saturates for large products).
     */
    record Measured(int[] m, int[] n, int[] k, int[] batch, double[] flopsPerSecond) implements MatmulRates {
        public Measured {
            m = m.clone();
            n = n.clone();
            k = k.clone();
            batch = batch.clone();
            flopsPerSecond = flopsPerSecond.clone();
            for (int[] axis : new int[][] {m, n, k, batch}) {
                if (axis.length == 0 || axis[0] < 1) {
                    throw new IllegalArgumentException("a matmul grid axis needs sizes of at least 1");
                }
                for (int i = 1; i < axis.length; i++) {
                    if (axis[i] <= axis[i - 1]) {
                        throw new IllegalArgumentException("matmul grid sizes must ascend: " + Arrays.toString(axis));
                    }
                }
            }
            if (flopsPerSecond.length != m.length * n.length * k.length * batch.length) {
                throw new IllegalArgumentException("a matmul grid of " + m.length + "x" + n.length + "x" + k.length + "x"
                        + batch.length + " needs as many rates, got " + flopsPerSecond.length);
            }
            for (double r : flopsPerSecond) {
                if (!(r > 0) || Double.isInfinite(r)) {
                    throw new IllegalArgumentException("matmul rates must be positive, got " + r);
                }
            }
        }

        @Override
        public double flopsPerSecond(long mm, long nn, long kk, long bb) {
            int[][] axes = {m, n, k, batch};
            long[] at = {mm, nn, kk, bb};
            int[] lo = new int[4];
            double[] t = new double[4];
            for (int a = 0; a < 4; a++) {
                double x = Math.log(Math.max(1, at[a]));
                int[] g = axes[a];
                if (x <= Math.log(g[0])) {
                    lo[a] = 0;
                    t[a] = 0;
                } else if (x >= Math.log(g[g.length - 1])) {
                    lo[a] = g.length - 1;
                    t[a] = 0;
                } else {
                    int i = 0;
                    while (Math.log(g[i + 1]) < x) {
                        i++;
                    }
                    lo[a] = i;
                    t[a] = (x - Math.log(g[i])) / (Math.log(g[i + 1]) - Math.log(g[i]));
                }
            }
            double logRate = 0;
            for (int corner = 0; corner < 16; corner++) {
                double w = 1;
                int index = 0;
                for (int a = 0; a < 4; a++) {
                    boolean up = (corner >> a & 1) == 1;
                    if (up && t[a] == 0) {
                        w = 0;
                        break;
                    }
                    w *= up ? t[a] : 1 - t[a];
                    index = index * axes[a].length + lo[a] + (up ? 1 : 0);
                }
                if (w > 0) {
                    logRate += w * Math.log(flopsPerSecond[index]);
                }
            }
            return Math.exp(logRate);
        }
    }

    /** Another set of rates times {@code factor} (a device slowed by others sharing its machine). */
    record Scaled(MatmulRates rates, double factor) implements MatmulRates {
        @Override
        public double flopsPerSecond(long m, long n, long k, long batch) {
            return factor * rates.flopsPerSecond(m, n, k, batch);
        }
    }
}
