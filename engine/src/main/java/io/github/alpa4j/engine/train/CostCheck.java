package io.github.alpa4j.engine.train;

import io.github.alpa4j.planner.plan.Units;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost model against the run: the plan's predicted iteration time beside the measured one (the
 * median over the steps after warm-up), and for a pipeline each stage's forward and backward time per
 * microbatch.
 */
public record CostCheck(double predictedIteration, double measuredIteration, int warmupSteps, int measuredSteps,
                        List<Stage> stages, boolean settled) {

    /** A check of steps measured once the run had settled. */
    public CostCheck(double predictedIteration, double measuredIteration, int warmupSteps, int measuredSteps, List<Stage> stages) {
        this(predictedIteration, measuredIteration, warmupSteps, measuredSteps, stages, true);
    }

    /** One stage, seconds per microbatch. */
    public record Stage(int index, double predictedForward, double measuredForward, double predictedBackward, double measuredBackward) {
    }

    /** Steps left out as warm-up (first-call costs, JIT): one in ten, at least one while two remain, at most five. */
    public static int warmup(int steps) {
        return steps < 2 ? 0 : Math.min(5, Math.max(1, steps / 10));
    }

    /**
     * The check of a run of {@code stepSeconds}; {@code predictedStages[i]} and {@code measuredStages} (per step,
     * [stage][forward, backward]) may be empty for a run without stages.
     */
    public static CostCheck of(double predictedIteration, List<Double> stepSeconds, double[][] predictedStages,
                               List<double[][]> measuredStages) {
        return of(predictedIteration, stepSeconds, warmup(stepSeconds.size()), true, predictedStages, measuredStages);
    }

    /**
     * As above, leaving out the first {@code w} steps (fewer where the run has fewer than two more); {@code settled}:
     * whether the steps after them ran once the JIT had settled.
     */
    public static CostCheck of(double predictedIteration, List<Double> stepSeconds, int w, boolean settled, double[][] predictedStages,
                               List<double[][]> measuredStages) {
        w = Math.max(0, Math.min(w, stepSeconds.size() - 2));
        List<Double> after = stepSeconds.subList(w, stepSeconds.size());
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < predictedStages.length; s++) {
            double[] fwd = new double[Math.max(0, measuredStages.size() - w)];
            double[] bwd = new double[fwd.length];
            for (int i = 0; i < fwd.length; i++) {
                fwd[i] = measuredStages.get(w + i)[s][0];
                bwd[i] = measuredStages.get(w + i)[s][1];
            }
            stages.add(new Stage(s, predictedStages[s][0], median(fwd), predictedStages[s][1], median(bwd)));
        }
        return new CostCheck(predictedIteration, median(after.stream().mapToDouble(Double::doubleValue).toArray()), w, after.size(), stages,
                settled);
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** (predicted − measured) / measured. */
    public double relativeError() {
        return (predictedIteration - measuredIteration) / measuredIteration;
    }

    public String render() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "iteration time: predicted %s, measured %s (median of %d steps after %d of warm-up), %+.0f %%%n",
                Units.seconds(predictedIteration), Units.seconds(measuredIteration), measuredSteps, warmupSteps, 100 * relativeError()));
        if (!settled) {
            sb.append("  (the JIT was still compiling the kernels: these steps ran slower than the run would settle to; train more"
                    + " steps for a steady measurement)\n");
        }
        for (Stage s : stages) {
            sb.append(String.format(Locale.ROOT, "  stage %d: forward %s (predicted %s), backward %s (predicted %s) per microbatch%n",
                    s.index(), Units.seconds(s.measuredForward()), Units.seconds(s.predictedForward()), Units.seconds(s.measuredBackward()),
                    Units.seconds(s.predictedBackward())));
        }
        return sb.toString();
    }

    /** {@code predicted_iteration_seconds}, {@code measured_iteration_seconds}, and {@code stages} (docs/train-json.md). */
    public void addTo(Map<String, Object> json) {
        json.put("predicted_iteration_seconds", predictedIteration);
        json.put("measured_iteration_seconds", measuredIteration);
        json.put("iteration_relative_error", relativeError());
        json.put("measured_steps", measuredSteps);
        json.put("measured_settled", settled);
        if (!stages.isEmpty()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Stage s : stages) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stage", s.index());
                m.put("predicted_forward_seconds", s.predictedForward());
                m.put("measured_forward_seconds", s.measuredForward());
                m.put("predicted_backward_seconds", s.predictedBackward());
                m.put("measured_backward_seconds", s.measuredBackward());
                out.add(m);
            }
            json.put("stages", out);
        }
    }
}
