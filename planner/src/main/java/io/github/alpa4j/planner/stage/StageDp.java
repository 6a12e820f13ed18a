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
 * <p>The iteration also pays, once, the slowest stage's update (gradient synchronisation and optimizer,
 * which all stages run at once after the pipeline drains): the DP minimises T* + max u_i. A second bound
 * u_max on every stage's update does for it what t_max does for the stage time: for each u_max the t_max
 * search below gives the least T* among stages whose updates stay under it, and u_max falls from
 * infinity in the same way, to the largest candidate below the update of the last optimum, until that
 * least T* alone can no longer beat the best.
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
    /** Only pipelines of exactly this many stages; 0 for any. */
    private final int stageCount;
    private int runs;

    /**
     * One stage of a DP solution: layers {@code first..last} on submesh {@code submesh} holding
     * {@code inflight} microbatches, run the fastest way whose update takes at most {@code maxUpdate}.
     */
    public record Stage(int first, int last, int submesh, int inflight, double maxUpdate, double time, double update) {
    }

    /**
     * The DP's answer: stages in pipeline order and the iteration time Σ t_i + (B−1)·max t_i + max u_i.
     *
     * @param runs DP runs (pairs of bounds tried), for the benchmark
     */
    public record Solution(List<Stage> stages, double iterationSeconds, int runs) {
        public Solution {
            stages = List.copyOf(stages);
        }
    }

    private StageDp(StageCostTable costs, int devices, int microbatches, PipelineSchedule schedule, int stageCount) {
        this.costs = costs;
        this.layers = costs.layers();
        this.devices = devices;
        this.microbatches = microbatches;
        this.schedule = schedule;
        this.size = costs.submeshes().stream().mapToInt(Submesh::devices).toArray();
        this.maxStages = Math.min(layers, devices);
        this.stageCount = stageCount;
    }

    /** The best pipeline of all {@code devices} devices, or null when no stage assignment fits. */
    public static Solution solve(StageCostTable costs, int devices, int microbatches, PipelineSchedule schedule) {
        if (devices < 1 || microbatches < 1) {
            throw new IllegalArgumentException("need devices and microbatches: " + devices + ", " + microbatches);
        }
        return new StageDp(costs, devices, microbatches, schedule, 0).solve();
    }

    /**
     * The best pipeline of all {@code devices} devices in exactly {@code stages} stages, or null when none
     * fits. The same search with the stage count fixed: F of every other count is left out of the answer,
     * and the bounds' pruning holds as it does for the minimum over all counts.
     */
    public static Solution solve(StageCostTable costs, int devices, int microbatches, PipelineSchedule schedule, int stages) {
        if (devices < 1 || microbatches < 1 || stages < 1) {
            throw new IllegalArgumentException("need devices, microbatches and stages: " + devices + ", " + microbatches + ", " + stages);
        }
        if (stages > Math.min(costs.layers(), devices)) {
            return null;
        }
        return new StageDp(costs, devices, microbatches, schedule, stages).solve();
    }

    /** The most stages a pipeline of {@code layers} layers on {@code devices} devices can have. */
    public static int maxStages(int layers, int devices) {
        return Math.min(layers, devices);
    }

    private Solution solve() {
        double[] times = sortedFinite(costs.candidateTimes());
        double[] updates = sortedFinite(costs.candidateUpdates());
        if (times.length == 0 || updates.length == 0) {
            return null;
        }
        Run best = null;
        int x = updates.length - 1;
        while (x >= 0) {
            Run r = pipeline(times, updates[x]);
            // lower bounds only raise the least T*: once it alone reaches the best, nothing below can win
            if (r == null || best != null && r.pipeline() >= best.objective()) {
                break;
            }
            if (best == null || r.objective() < best.objective()) {
                best = r;
            }
            x = upperIndex(updates, Math.nextDown(r.maxUpdate));
        }
        return best == null ? null : new Solution(best.stages, best.objective(), runs);
    }

    private static double[] sortedFinite(double[] v) {
        return Arrays.stream(v).filter(t -> t < Double.POSITIVE_INFINITY).sorted().distinct().toArray();
    }

    /** The least T* with every stage's update at most {@code uMax} (the smaller update on ties), by the t_max search; null if none. */
    private Run pipeline(double[] cand, double uMax) {
        if (run(cand[cand.length - 1], uMax) == null) {
            return null;
        }
        // the least bound with a solution: every solution's largest stage time is at least t0
        int lo = 0;
        int hi = cand.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (run(cand[mid], uMax) != null) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        double t0 = cand[lo];
        Run best = run(t0, uMax);
        int x = upperIndex(cand, best.pipeline() / microbatches);
        while (x >= lo) {
            Run r = run(cand[x], uMax);
            if (r == null || r.sum + (microbatches - 1) * t0 > best.pipeline()) {
                break;
            }
            if (r.pipeline() < best.pipeline() || r.pipeline() == best.pipeline() && r.maxUpdate < best.maxUpdate) {
                best = r;
            }
            x = upperIndex(cand, Math.nextDown(r.max));
        }
        return best;
    }

    /** The index of the largest candidate ≤ {@code v}, or -1. */
    private static int upperIndex(double[] cand, double v) {
        int i = Arrays.binarySearch(cand, v);
        return i >= 0 ? i : -i - 2;
    }

    /** The optimum under bounds {@code tmax} and {@code uMax}: least Σ t, then least largest t, over every stage count. */
    private record Run(List<Stage> stages, double sum, double max, double pipeline, double maxUpdate) {
        double objective() {
            return pipeline + maxUpdate;
        }
    }

    private Run run(double tmax, double uMax) {
        runs++;
        int sMax = stageCount > 0 ? stageCount : maxStages; // F(s) needs only F(s − 1)
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
                        double t = costs.time(k, i, m, inflight, uMax);
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
            if (stageCount > 0 && s != stageCount) {
                continue;
            }
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
        List<Stage> stages = backtrack(bestS, cut, mesh, uMax);
        double update = stages.stream().mapToDouble(Stage::update).max().orElse(0);
        return new Run(stages, sum, mx, sum + (microbatches - 1) * mx, update);
    }

    private List<Stage> backtrack(int s, int[][][] cut, int[][][] mesh, double uMax) {
        List<Stage> out = new ArrayList<>();
        int k = 0;
        int d = devices;
        int stages = s;
        for (; s > 0; s--) {
            int i = cut[s][k][d];
            int m = mesh[s][k][d];
            int inflight = schedule.inflight(s, microbatches, 0);
            out.add(new Stage(k, i, m, inflight, uMax, costs.time(k, i, m, inflight, uMax), costs.update(k, i, m, inflight, uMax)));
            k = i + 1;
            d -= size[m];
        }
        if (out.size() != stages) {
            throw new IllegalStateException("backtracking lost a stage");
        }
        return out;
    }
}
