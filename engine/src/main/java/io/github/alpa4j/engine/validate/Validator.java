package io.github.alpa4j.engine.validate;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.train.CostCheck;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.engine.train.SteadyState;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.engine.train.Trainer;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlannedCollective;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs one case of the suite: plans it on the cluster, trains it for some steps on simulated CPU
 * devices, and sets what the plan predicts beside what the run measured: the iteration, each stage of
 * a pipeline, and each kind of collective (seconds per step on the device that spends the most in it).
 */
public final class Validator {
    private static final Optimizer OPTIMIZER = Optimizer.AdamW.withLr(1e-3);

    /** Seconds per step of one kind of collective. */
    public record KindTime(double predicted, double measured) {
    }

    /** A case's outcome; {@code planned} describes the plan the case ran. */
    public record Result(ValidationCase c, String planned, CostCheck check, Map<String, KindTime> kinds) {
        public double predicted() {
            return check.predictedIteration();
        }

        public double measured() {
            return check.measuredIteration();
        }
    }

    private Validator() {
    }

    /** Where a case runs: simulated CPU devices (one thread each) or logical devices sharing GPU 0. */
    public enum Devices {
        CPU("simulated CPU devices"), CUDA("logical devices on GPU 0");

        private final String description;

        Devices(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    public static Result run(ValidationCase c, Cluster cluster, int steps, long seed) {
        return run(c, cluster, steps, seed, Devices.CPU);
    }

    /** The case on {@code devices}. */
    public static Result run(ValidationCase c, Cluster cluster, int steps, long seed, Devices devices) {
        Model whole = c.build(c.batch());
        if (c.pipeline()) {
            return pipeline(c, cluster, whole, steps, seed, devices);
        }
        Graph g = trainingGraph(whole);
        IntraOpPlan plan = PlanMethod.parse(c.plan()).plan(g, DeviceMesh.parse(cluster, c.mesh()), PlannerOptions.defaults());
        Map<String, Double> predicted = new TreeMap<>();
        for (PlannedCollective pc : plan.collectives()) {
            predicted.merge(pc.collective().kind(), pc.cost(), Double::sum);
        }
        try (BackendRunner r = devices == Devices.CUDA ? Backends.cudaMesh(Lowering.lower(plan), MatmulPrecision.FP32, seed)
                : Backends.cpuMesh(Lowering.lower(plan), seed)) {
            return measure(c, plan.method() + " (" + plan.status() + ")", r, whole, steps, seed, plan.iterationTime(), new double[0][],
                    predicted);
        }
    }

    private static Result pipeline(ValidationCase c, Cluster cluster, Model whole, int steps, long seed, Devices devices) {
        DeviceMesh m = DeviceMesh.parse(cluster, c.mesh());
        Cluster sub = cluster.withShape(m.rows(), m.cols());
        int mb = ValidationCase.MICROBATCHES;
        PipelinePlan plan = c.plan().equals("stages")
                ? PipelinePlanner.plan(k -> trainingGraph(c.build(c.batch() / k)), List.of(mb), sub, StageOptions.defaults())
                : MegatronPipeline.plan(trainingGraph(c.build(c.batch() / mb)), mb, sub, MegatronPipeline.parse(c.plan()),
                        StageOptions.defaults());
        double[][] stages = new double[plan.stages().size()][];
        Map<String, Double> predicted = new TreeMap<>();
        for (PipelineStage st : plan.stages()) {
            stages[st.index()] = new double[] {st.cost().forwardSeconds(), st.cost().backwardSeconds()};
            Graph g = st.plan().graph();
            Set<Integer> gradients = new HashSet<>(g.gradients().values());
            Map<String, Double> stage = new TreeMap<>();
            for (PlannedCollective pc : st.plan().collectives()) {
                // gradients' reductions and the update run once per iteration, the rest once per microbatch
                boolean once = pc.phase() == Phase.UPDATE || gradients.contains(pc.node());
                stage.merge(pc.collective().kind(), pc.cost() * (once ? 1 : plan.microbatches()), Double::sum);
            }
            double received = plan.receiveSeconds(st.index(), Phase.FORWARD) + plan.receiveSeconds(st.index(), Phase.BACKWARD);
            if (received > 0) {
                stage.merge("send-recv", received * plan.microbatches(), Double::sum);
            }
            stage.forEach((kind, secs) -> predicted.merge(kind, secs, Double::max)); // each device serves one stage
        }
        try (BackendRunner r = devices == Devices.CUDA ? Backends.cudaPipeline(plan, MatmulPrecision.FP32, seed)
                : Backends.cpuPipeline(plan, seed)) {
            return measure(c, plan.method() + ", " + Backends.describe(plan), r, whole, steps, seed, plan.iterationSeconds(), stages,
                    predicted);
        }
    }

    private static Graph trainingGraph(Model m) {
        return DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", OPTIMIZER).keepOutputs(List.of("loss")));
    }

    private static Result measure(ValidationCase c, String planned, BackendRunner r, Model whole, int steps, long seed,
                                  double predicted, double[][] stages, Map<String, Double> predictedKinds) {
        double stepSeconds = warmUp(whole, r, c.data(whole, seed));
        steps = measuredSteps(steps, stepSeconds);
        List<Map<String, Long>> kindNanos = new ArrayList<>();
        TrainResult t = Trainer.train(whole, r, r.description(), c.data(whole, seed), steps, s -> kindNanos.add(r.lastStepCollectiveNanos()));
        List<double[][]> all = r.runner() instanceof PipelineRuntime<?, ?> p ? p.stageSecondsPerStep() : List.of();
        List<double[][]> measuredStages = all.subList(Math.max(0, all.size() - t.steps().size()), all.size()); // after the warm-up's
        CostCheck check = CostCheck.of(predicted, t.steps().stream().map(StepMetrics::seconds).toList(), stages, measuredStages);
        int w = CostCheck.warmup(steps);
        Set<String> kinds = new java.util.TreeSet<>(predictedKinds.keySet());
        kindNanos.forEach(k -> kinds.addAll(k.keySet()));
        Map<String, KindTime> out = new TreeMap<>();
        for (String kind : kinds) {
            double[] per = kindNanos.subList(w, kindNanos.size()).stream().mapToDouble(k -> k.getOrDefault(kind, 0L) * 1e-9).toArray();
            out.put(kind, new KindTime(predictedKinds.getOrDefault(kind, 0.0), median(per)));
        }
        return new Result(c, planned, check, out);
    }

    /**
     * Trains until the steps are steady ({@link SteadyState}: settled, and the JIT quiet over the last half
     * second or more), or {@value #MAX_WARMUP} steps, or {@value #MAX_WARMUP_SECONDS} s. Steps measured while the
     * JIT still compiles are the compiler's, not the plan's. The measured steps then train on from the weights
     * these leave (a step's time does not depend on the values).
     */
    private static double warmUp(Model whole, BackendRunner r, DataSource data) {
        SteadyState state = SteadyState.ofThisJvm();
        long start = System.nanoTime();
        double last = 0;
        while (state.steps() < MAX_WARMUP && (System.nanoTime() - start) * 1e-9 < MAX_WARMUP_SECONDS) {
            TrainResult t = Trainer.train(whole, r, r.description(), data, 1, s -> { });
            last = t.steps().get(0).seconds();
            state.step(last);
            if (state.steady()) {
                break;
            }
        }
        return last;
    }

    /**
     * Steps to train for a case: at least {@code steps}, and enough to fill {@value #MIN_MEASURED_SECONDS} s at
     * {@code stepSeconds} a step, up to {@value #MAX_MEASURED_STEPS}. The median of seven steps of a 1.5 ms
     * pipeline moved by a third between runs; a step's time on shared cores wanders over tens of steps.
     */
    static int measuredSteps(int steps, double stepSeconds) {
        int fill = stepSeconds > 0 ? (int) Math.ceil(MIN_MEASURED_SECONDS / stepSeconds) + CostCheck.warmup(steps) : 0;
        return Math.max(steps, Math.min(MAX_MEASURED_STEPS, fill));
    }

    static final double MIN_MEASURED_SECONDS = 0.5;
    static final int MAX_MEASURED_STEPS = 400;

    static final int MAX_WARMUP = 1000;
    static final double MAX_WARMUP_SECONDS = 30;

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? 0 : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
