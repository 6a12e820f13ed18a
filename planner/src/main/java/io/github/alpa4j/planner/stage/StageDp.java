package io.github.alpa4j.planner.stage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Alpa's inter-operator DP (REFERENCES §2). For a bound t_max on every stage's time,
 * F(s, k, d) = min over i ≥ k and submesh m with n_m ≤ d of t(k..i, m) + F(s−1, i+1, d − n_m), subject to
 * t(k..i, m) ≤ t_max, with F(0, L, 0) = 0: the least Σ t_i that puts layers k.. into s stages on exactly
 * d devices. The stage starting at k is the (S−s)-th of S and so holds min(s, B) microbatches under 1F1B,
 * which its time accounts for (infinite when that does not fit). The answer is
 * T* = min over t_max of F(·, 0, D) + (B−1)·t_max.
 *
 * <p>t_max runs over the distinct stage times. A binary search finds the least t_max with any solution,
 * t0; the first answer bounds the useful t_max by T* / B (T* ≥ B·max t_i, Alpa's early pruning). Then
 * t_max falls from that bound: each DP run also returns the largest stage time t' of its optimum (ties
 * on Σ t_i broken by the smaller largest time, which the DP can do exactly), F is the same for every
 * bound in [t', t_max], so the next bound tried is the largest candidate below t'; the sweep stops
 * when F + (B−1)·t0 can no longer beat the best. Every bound that could change the answer is tried,
 * so the result is the exact optimum of the formula.
 */
public final class StageDp {
    private final StageCostTable costs;
    private final int layers;
    private final int devices;
    private final int microbatches;
    private final PipelineSchedule schedule;
    private final int[] size;
    private final int maxStages;
    private int runs;

    /** One stage of a DP solution: layers {@code first..last} on submesh {@code submesh} holding {@code inflight} microbatches. */
    public record Stage(int first, int last, int submesh, int inflight, double time) {
    }

    /**
     * The DP's answer: stages in pipeline order and T* = Σ t_i + (B−1)·max t_i.
     *
     * @param runs DP runs (bounds tried), for the benchmark
     */
    public record Solution(List<Stage> stages, double pipelineSeconds, int runs) {
        public Solution {
            stages = List.copyOf(stages);
        }

        public double maxStageTime() {
            return stages.stream().mapToDouble(Stage::time).max().orElse(0);
        }
    }

    private StageDp(StageCostTable costs, int devices, int microbatches, PipelineSchedule schedule) {
        this.costs = costs;
        this.layers = costs.layers();
        this.devices = devices;
        this.microbatches = microbatches;
        this.schedule = schedule;
        this.size = costs.submeshes().stream().mapToInt(Submesh::devices).toArray();
        this.maxStages = Math.min(layers, devices);
    }

    /** The best pipeline of all {@code devices} devices, or null when no stage assignment fits. */
    public static Solution solve(StageCostTable costs, int devices, int microbatches, PipelineSchedule schedule) {
        if (devices < 1 || microbatches < 1) {
            throw new IllegalArgumentException("need devices and microbatches: " + devices + ", " + microbatches);
        }
        return new StageDp(costs, devices, microbatches, schedule).solve();
    }

    private Solution solve() {
        double[] cand = Arrays.stream(costs.candidateTimes()).filter(t -> t < Double.POSITIVE_INFINITY)
                .sorted().distinct().toArray();
        if (cand.length == 0 || run(cand[cand.length - 1]) == null) {
            return null;
        }
        // the least bound with a solution: every solution's largest stage time is at least t0
        int lo = 0;
        int hi = cand.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (run(cand[mid]) != null) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        double t0 = cand[lo];
        Run best = run(t0);
        int x = upperIndex(cand, best.objective / microbatches);
        while (x >= lo) {
            Run r = run(cand[x]);
            if (r == null || r.sum + (microbatches - 1) * t0 >= best.objective) {
                break;
            }
            if (r.objective < best.objective) {
                best = r;
            }
            x = upperIndex(cand, Math.nextDown(r.max));
        }
        return new Solution(best.stages, best.objective, runs);
    }

    /** The index of the largest candidate ≤ {@code v}, or -1. */
    private static int upperIndex(double[] cand, double v) {
        int i = Arrays.binarySearch(cand, v);
        return i >= 0 ? i : -i - 2;
    }

    /** The optimum under bound {@code tmax}: least Σ t, then least largest t, over every stage count. */
    private record Run(List<Stage> stages, double sum, double max, double objective) {
    }

    private Run run(double tmax) {
        runs++;
        int sMax = maxStages;
        double[][][] f = new double[sMax + 1][layers + 1][devices + 1];
        double[][][] fMax = new double[sMax + 1][layers + 1][devices + 1];
        int[][][] cut = new int[sMax + 1][layers + 1][devices + 1];
        int[][][] mesh = new int[sMax + 1][layers + 1][devices + 1];
        for (double[][] a : f) {
            for (double[] b : a) {
                Arrays.fill(b, Double.POSITIVE_INFINITY);
            }
        }
        f[0][layers][0] = 0;
        for (int s = 1; s <= sMax; s++) {
            int inflight = schedule.inflight(s, microbatches, 0);
            for (int k = layers - s; k >= 0; k--) {
                double[] fk = f[s][k];
                double[] mk = fMax[s][k];
                for (int i = k; i <= layers - s; i++) {
                    double[] prev = f[s - 1][i + 1];
                    double[] prevMax = fMax[s - 1][i + 1];
                    for (int m = 0; m < size.length; m++) {
                        double t = costs.time(k, i, m, inflight);
                        if (!(t <= tmax)) {
                            continue;
                        }
                        int n = size[m];
                        for (int d = n + s - 1; d <= devices; d++) {
                            double p = prev[d - n];
                            if (p == Double.POSITIVE_INFINITY) {
                                continue;
                            }
                            double v = p + t;
                            double mx = Math.max(t, prevMax[d - n]);
                            if (v < fk[d] || v == fk[d] && mx < mk[d]) {
                                fk[d] = v;
                                mk[d] = mx;
                                cut[s][k][d] = i;
                                mesh[s][k][d] = m;
                            }
                        }
                    }
                }
            }
        }
        int bestS = -1;
        for (int s = 1; s <= sMax; s++) {
            double sum = f[s][0][devices];
            if (sum < Double.POSITIVE_INFINITY && (bestS < 0 || sum < f[bestS][0][devices]
                    || sum == f[bestS][0][devices] && fMax[s][0][devices] < fMax[bestS][0][devices])) {
                bestS = s;
            }
        }
        if (bestS < 0) {
            return null;
        }
        double sum = f[bestS][0][devices];
        double mx = fMax[bestS][0][devices];
        return new Run(backtrack(bestS, cut, mesh), sum, mx, sum + (microbatches - 1) * mx);
    }

    private List<Stage> backtrack(int s, int[][][] cut, int[][][] mesh) {
        List<Stage> out = new ArrayList<>();
        int k = 0;
        int d = devices;
        int stages = s;
        for (; s > 0; s--) {
            int i = cut[s][k][d];
            int m = mesh[s][k][d];
            int inflight = schedule.inflight(s, microbatches, 0);
            out.add(new Stage(k, i, m, inflight, costs.time(k, i, m, inflight)));
            k = i + 1;
            d -= size[m];
        }
        if (out.size() != stages) {
            throw new IllegalStateException("backtracking lost a stage");
        }
        return out;
    }
}
