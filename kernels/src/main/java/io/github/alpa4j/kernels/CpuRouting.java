package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.RoutingOp;

/**
 * The CPU twin of routing.cu: top-2 gating per group (see {@link RoutingOp}), groups spread over the
 * intra-op pool. Within a group the slots are a running count, so a group is one sequential pass.
 */
final class CpuRouting {
    private CpuRouting() {
    }

    static void top2(IntraOpPool pool, RoutingOp.Output what, float[] gates, float[] dcombine, float[] out, int groups, int s,
                     int e, int c) {
        int perGroup = what == RoutingOp.Output.DISPATCH || what == RoutingOp.Output.COMBINE ? s * e * c : s * e;
        java.util.Arrays.fill(out, 0, groups * perGroup, 0f);
        pool.parallelFor(groups, 1, (lo, hi) -> {
            int[] load = new int[e];
            int[] first = new int[s];
            int[] second = new int[s];
            int[] pos1 = new int[s];
            int[] pos2 = new int[s];
            for (int g = lo; g < hi; g++) {
                group(what, gates, dcombine, out, g * s * e, s, e, c, load, first, second, pos1, pos2);
            }
        });
    }

    private static void group(RoutingOp.Output what, float[] gates, float[] dc, float[] out, int base, int s, int e, int c,
                              int[] load, int[] first, int[] second, int[] pos1, int[] pos2) {
        for (int t = 0; t < s; t++) {
            first[t] = argmax(gates, base + t * e, e, -1);
            second[t] = argmax(gates, base + t * e, e, first[t]);
        }
        if (what == RoutingOp.Output.TOP1) {
            for (int t = 0; t < s; t++) {
                out[base + t * e + first[t]] = 1f;
            }
            return;
        }
        java.util.Arrays.fill(load, 0);
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
            float g1 = k1 ? gates[row + first[t]] : 0f;
            float g2 = k2 ? gates[row + second[t]] : 0f;
            float d = g1 + g2 > 0f ? g1 + g2 : 1f;
            int slot1 = (row + first[t]) * c + pos1[t];
            int slot2 = (row + second[t]) * c + pos2[t];
            switch (what) {
                case DISPATCH, COMBINE -> {
                    boolean w = what == RoutingOp.Output.COMBINE;
                    if (k1) {
                        out[slot1] = w ? g1 / d : 1f;
                    }
                    if (k2) {
                        out[slot2] = w ? g2 / d : 1f;
                    }
                }
                case COMBINE_GRAD -> {
                    float u1 = k1 ? dc[slot1] : 0f;
                    float u2 = k2 ? dc[slot2] : 0f;
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

    /** The first largest value of a row, skipping {@code skip}. */
    private static int argmax(float[] x, int off, int n, int skip) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (i != skip && (best < 0 || x[off + i] > x[off + best])) {
                best = i;
            }
        }
        return best;
    }
}
