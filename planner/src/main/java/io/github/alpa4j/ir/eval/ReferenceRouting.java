package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.RoutingOp;
import io.github.alpa4j.ir.Shape;

/** {@link RoutingOp} in float64, written from GShard's algorithm as plainly as it reads (the kernels' reference). */
final class ReferenceRouting {
    private ReferenceRouting() {
    }

    /** The op on gates of shape {@code sg} (dcombine for the gradient, else null). */
    static double[] eval(RoutingOp op, double[] gates, Shape sg, double[] dcombine) {
        int e = sg.dim(-1);
        int s = sg.dim(-2);
        int c = op.capacity();
        int groups = (int) (sg.size() / ((long) s * e));
        double[] out = new double[switch (op.output()) {
            case DISPATCH, COMBINE -> groups * s * e * c;
            case COMBINE_GRAD, TOP1 -> groups * s * e;
        }];
        for (int g = 0; g < groups; g++) {
            int base = g * s * e;
            int[] first = new int[s];
            int[] second = new int[s];
            for (int t = 0; t < s; t++) {
                first[t] = argmax(gates, base + t * e, e, -1);
                second[t] = argmax(gates, base + t * e, e, first[t]);
            }
            if (op.output() == RoutingOp.Output.TOP1) {
                for (int t = 0; t < s; t++) {
                    out[base + t * e + first[t]] = 1;
                }
                continue;
            }
            // positions: every first choice of the group queues before any second choice
            int[] load = new int[e];
            int[] pos1 = new int[s];
            int[] pos2 = new int[s];
            for (int t = 0; t < s; t++) {
                pos1[t] = load[first[t]]++;
            }
            for (int x = 0; x < e; x++) {
                load[x] = Math.min(load[x], c);
            }
            for (int t = 0; t < s; t++) {
                pos2[t] = load[second[t]]++;
            }
            for (int t = 0; t < s; t++) {
                int row = base + t * e;
                boolean k1 = pos1[t] < c;
                boolean k2 = pos2[t] < c;
                double g1 = k1 ? gates[row + first[t]] : 0;
                double g2 = k2 ? gates[row + second[t]] : 0;
                double d = g1 + g2 > 0 ? g1 + g2 : 1;
                switch (op.output()) {
                    case DISPATCH, COMBINE -> {
                        boolean w = op.output() == RoutingOp.Output.COMBINE;
                        if (k1) {
                            out[(row + first[t]) * c + pos1[t]] = w ? g1 / d : 1;
                        }
                        if (k2) {
                            out[(row + second[t]) * c + pos2[t]] = w ? g2 / d : 1;
                        }
                    }
                    case COMBINE_GRAD -> {
                        double u1 = k1 ? dcombine[(row + first[t]) * c + pos1[t]] : 0;
                        double u2 = k2 ? dcombine[(row + second[t]) * c + pos2[t]] : 0;
                        if (k1) {
                            out[row + first[t]] = (u1 - u2) * g2 / (d * d);
                        }
                        if (k2) {
                            out[row + second[t]] = (u2 - u1) * g1 / (d * d);
                        }
                    }
                    case TOP1 -> throw new IllegalStateException();
                }
            }
        }
        return out;
    }

    /** The first largest gate of a row, skipping {@code skip}. */
    private static int argmax(double[] x, int off, int n, int skip) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (i != skip && (best < 0 || x[off + i] > x[off + best])) {
                best = i;
            }
        }
        return best;
    }
}
