package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.checkpoint.CheckpointStore;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.train.Ending;
import io.github.alpa4j.engine.train.TrainOptions;
import java.nio.file.Files;
import java.util.Optional;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.energy.LiveEnergyReport;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.monitor.EnergySummary;
import io.github.alpa4j.energy.monitor.IterationEnergy;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.LossScaler;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.report.Reports;
import io.github.alpa4j.engine.train.CostCheck;
import io.github.alpa4j.engine.train.SteadyState;
import io.github.alpa4j.engine.train.TrainReport;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Precision;
import java.util.List;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alpa4j train}: trains a model and reports loss and throughput per step. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train an MLP or a GPT and report loss and throughput.")
public class TrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--steps", defaultValue = "200", description = "Training steps (default: ${DEFAULT-VALUE}).")
    long steps;

    @Mixin
    OptimizerOptions optimizer = new OptimizerOptions();

    @Mixin
    LossScaleOptions lossScale = new LossScaleOptions();

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights and the data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Write the metrics to this JSON file.")
    Path json;

    @Option(names = "--report", description = "Write a self-contained HTML report of the run (loss, throughput, the plan, its schedule"
            + " and sharding, predicted against measured) to this file.")
    Path report;

    @Option(names = "--log-every", description = "Print a line every N steps (default: steps/10).")
    Long logEvery;

    @Option(names = "--no-progress", description = "Print log lines only, no progress bar.")
    boolean noProgress;

    @Mixin
    MeshOptions meshOptions = new MeshOptions();

    @Option(names = "--load-plan", description = "Run this saved plan (plan --json) instead of planning; refused if made for another model or mesh.")
    Path loadPlan;

    @Option(names = "--save-plan", description = "Write the plan used to this JSON file.")
    Path savePlan;

    @Option(names = "--pipeline", description = "Plan pipeline stages (Alpa's inter-operator pass) over the devices of --mesh"
            + " (ROWS hosts of COLS devices) or of the whole cluster, and train the pipeline on simulated CPU devices"
            + " (or, with --backend cuda, on logical devices sharing GPU 0).")
    boolean pipeline;

    @Option(names = "--intra-op-only", description = "With --plan auto on a --mesh: one intra-op plan over the whole mesh"
            + " (Alpa's ShardParallel) instead of the full search over pipeline stages (its PipeshardParallel).")
    boolean intraOpOnly;

    @Mixin
    PipelineOptions pipelineOptions = new PipelineOptions();

    @Option(names = "--backend", defaultValue = "cpu",
            description = "cpu (simulated devices, the default) or cuda (GPU 0; a mesh shares the card as logical devices).")
    String backend;

    @Option(names = "--cpu-threads", description = "CPU backend, one device: threads its kernels and matrix products split over"
            + " (default: every core this process may use; a simulated mesh runs one thread per device).")
    Integer cpuThreads;

    @Option(names = "--devices", paramLabel = "GPU,GPU,...",
            description = "With --backend cuda and a --mesh or pipeline: one mesh device per listed GPU (e.g. 0,1,2,3; as many as"
                    + " the plan has devices), collectives through NCCL. Without it a mesh shares GPU 0 as logical devices."
                    + " Under a launcher: this host's GPUs for all its ranks, local rank l taking its devices' GPUs from position l·k"
                    + " (default: GPU LOCAL_RANK·k on).")
    String devices;

    @Option(names = "--energy", description = "Measure GPU 0's energy through NVML: joules per step, average power, tokens per joule (needs the NVIDIA driver).")
    boolean energy;

    @Mixin
    EnergyPlanOptions energyPlan = new EnergyPlanOptions();

    /** The --energy-plan at work, once the pipeline is built; closed (clocks reset) with the run. */
    io.github.alpa4j.engine.energy.LiveEnergyPlan liveEnergyPlan;

    @Option(names = "--energy-sample-ms", defaultValue = "20", description = "With --energy: milliseconds between NVML samples (default: ${DEFAULT-VALUE}).")
    int energySampleMs;

    @Option(names = "--rendezvous-timeout", defaultValue = "300",
            description = "Under a launcher: seconds the whole rendezvous may wait for the other ranks (default: ${DEFAULT-VALUE}).")
    double rendezvousTimeout;

    @Mixin
    CheckpointOptions checkpoints = new CheckpointOptions();

    @Option(names = "--divergence-factor", defaultValue = "" + TrainOptions.DEFAULT_DIVERGENCE_FACTOR,
            description = "Stop with exit code 3 when a loss exceeds the first by this factor, or is not finite (default: ${DEFAULT-VALUE}).")
    double divergenceFactor;

    @Option(names = "--allow-divergence", description = "Train on when the loss diverges instead of stopping with exit code 3.")
    boolean allowDivergence;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Where launcher variables (RANK, WORLD_SIZE, ...) come from; tests give their own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkFlags();
        Optional<LaunchEnv> launch = LaunchEnv.detect(environment);
        if (launch.isPresent() && launch.get().distributed() && launch.get().rank() != 0) {
            // rank 0 writes the job's metrics, report and plan; the other ranks compute the same losses
            json = null;
            report = null;
            savePlan = null;
        }
        TrainCheckpoints ckpts = TrainCheckpoints.open(checkpoints, steps, err);
        resumed = ckpts.resumed().orElse(null);
        RunMode mode = RunMode.of(this, launch);
        var scaling = lossScale.settings(model.precision().lossScaling());
        Optimizer opt = optimizer.build();
        model.checkGraphSize(opt);
        Model m = model.build();
        DataSource data = model.data(m, seed);
        Graph g = model.trainingStep(m, opt);
        ckpts.checkSameRun(identity());
        out.printf("%s: %,d parameters, %d graph nodes; %s%n", m.name(), m.forward().parameterCount(), g.size(), data.describe());
        data.lossFloor().ifPresent(f -> out.printf("entropy floor (best reachable loss): %.4f nats%n", f));
        NvmlEnergySource energySource = energy ? TrainEnergy.open(energySampleMs, cudaBackend()) : null;
        RunMode.Prepared prepared;
        try {
            prepared = mode.prepare(this, g, opt, out);
        } catch (RuntimeException e) {
            if (energySource != null) {
                energySource.close();
            }
            throw e;
        }
        BackendRunner runner = prepared.runner();
        if (runner.lossScaled()) {
            runner.useLossScaling(scaling, ckpts.overflows());
        }
        Map<String, Object> run = new LinkedHashMap<>(identity());
        run.putAll(prepared.config());
        TrainProgress progress = new TrainProgress(this, m, runner, data, prepared, out);
        TrainResult r;
        EnergySummary measured = null;
        try (Interruption.Deferral stopBetweenSteps = Interruption.defer();
             EnergyMonitor monitor = energySource == null ? null : EnergyMonitor.start(energySource, java.time.Duration.ofMillis(energySampleMs))) {
            ckpts.restore(runner, out);
            iterationEnergy = monitor == null ? null : new IterationEnergy(monitor);
            if (iterationEnergy != null) {
                iterationEnergy.begin();
            }
            r = run(progress, ckpts, run);
            if (ckpts.enabled() && !(r.ending() instanceof Ending.Diverged) && r.steps().size() > progress.lastCheckpointStep()) {
                progress.checkpointed(ckpts.save(runner, run, r.steps(), prepared.plan(), prepared.ranks()), r.steps().size());
            }
            if (iterationEnergy != null) {
                measured = iterationEnergy.summary();
            }
        } finally {
            runner.close();
            if (liveEnergyPlan != null) {
                liveEnergyPlan.close();
            }
            if (energySource != null) {
                energySource.close();
            }
        }
        return finish(r, prepared, measured, progress, ckpts, out, err);
    }

    /** Refuses flags out of range, and output paths that cannot be written, before any work. */
    private void checkFlags() {
        if (steps <= 0) {
            throw new UserInputException("--steps must be positive, got " + steps);
        }
        if (logEvery != null && logEvery < 1) {
            throw new UserInputException("--log-every must be at least 1 step, got " + logEvery);
        }
        if (!(divergenceFactor > 1)) {
            throw new UserInputException("--divergence-factor must be more than 1, got " + divergenceFactor);
        }
        energyPlan.check(pipeline || PipelinePlanning.isPipelinePlan(meshOptions.method), spec.commandLine().getParseResult());
        Path cluster = meshOptions.cluster.endsWith(".json") ? Path.of(meshOptions.cluster) : null;
        if (json != null) {
            OutputFile.check("--json", json, loadPlan, cluster, energyPlan.file());
        }
        if (report != null) {
            OutputFile.check("--report", report, loadPlan, cluster, json);
        }
        if (savePlan != null) {
            OutputFile.check("--save-plan", savePlan, loadPlan, cluster, json);
        }
    }

    /** How the run ended, told: the summary, the metrics file, and for a run stopped early one line on stderr and its exit code. */
    private int finish(TrainResult r, RunMode.Prepared prepared, EnergySummary measured, TrainProgress progress, TrainCheckpoints ckpts,
                       PrintWriter out, PrintWriter err) {
        if (r.steps().isEmpty()) {
            err.println("alpa4j: interrupted by " + Interruption.cause() + " before the first step; nothing written");
            return Interruption.exitCode();
        }
        out.print(TrainReport.summary(r));
        java.util.Optional<CostCheck> check = r.ending() instanceof Ending.Completed ? prepared.check(r, steady) : java.util.Optional.empty();
        check.ifPresent(c -> out.print(c.render()));
        if (measured != null) {
            out.printf("energy %.1f J per step, %.0f W average, %.1f tokens/J (GPU 0 through NVML; first step left out)%n",
                    measured.joulesPerIteration(), measured.averagePowerWatts(), measured.tokensPerJoule());
        }
        if (json != null) {
            Map<String, Object> metrics = progress.report(r);
            check.ifPresent(c -> c.addTo(metrics));
            if (measured != null) {
                TrainReport.addEnergy(metrics, measured);
                if (energyWindowMillis[1] > energyWindowMillis[0]) {
                    metrics.put("energy_window_unix_ms", List.of(energyWindowMillis[0], energyWindowMillis[1]));
                }
            }
            if (liveEnergyPlan != null) {
                metrics.put("energy_plan", LiveEnergyReport.json(liveEnergyPlan.summary()));
            }
            TrainReport.write(json, metrics);
            out.println("metrics written to " + json);
        }
        if (report != null) {
            var page = Reports.train(r, new Reports.TrainExtras(prepared.meshPlan(), prepared.pipelinePlan(), prepared.lastStepTasks(),
                    check.orElse(null), measured));
            if (liveEnergyPlan != null) {
                LiveEnergyReport.addTo(page, liveEnergyPlan.summary());
            }
            page.write(report);
            out.println("report written to " + report);
        }
        out.flush();
        String saved = (progress.lastCheckpoint() != null ? "; checkpoint " + progress.lastCheckpoint() : "")
                + (json != null ? "; metrics " + json : "");
        return switch (r.ending()) {
            case Ending.Completed c -> 0;
            case Ending.Stopped s -> {
                err.println("alpa4j: interrupted by " + Interruption.cause() + " after " + r.steps().size() + " of " + steps + " steps"
                        + saved + (ckpts.enabled() ? " (continue with --resume " + ckpts.dir() + ")" : ""));
                yield Interruption.exitCode();
            }
            case Ending.Diverged d -> {
                err.println("alpa4j: training diverged: " + d.reason() + saved + "; lower --lr, or pass --allow-divergence to train on");
                yield 3;
            }
        };
    }

    /** The flags that decide the variables and the batches: a checkpoint resumes only a run with the same. */
    Map<String, Object> identity() {
        Map<String, Object> c = model.sizes();
        if (!model.isGpt()) {
            c.put("activation", model.activation);
        }
        c.put("batch", model.batchSize());
        if (model.precision() != Precision.FP32) {
            c.put("precision", model.precision().code());
        }
        if (model.precision().lossScaling()) {
            LossScaler.Settings s = lossScale.settings(true);
            c.put("loss_scale", s.initialScale());
            c.put("loss_scale_growth_interval", s.growthInterval());
        }
        c.put("optimizer", optimizer.optimizer);
        c.put("lr", optimizer.build().lr());
        if (optimizer.optimizer.equals("sgd")) {
            c.put("momentum", optimizer.momentum);
        }
        c.put("weight_decay", optimizer.weightDecay);
        c.put("seed", seed);
        return c;
    }

    /** The plan file of the checkpoint being resumed, when it was made on {@code mesh} by {@code method}: the same plan runs again. */
    Optional<Path> checkpointPlan(String mesh, String method) {
        if (resumed == null || !mesh.equals(resumed.checkpoint().run().get("mesh")) || !method.equals(resumed.checkpoint().run().get("plan"))) {
            return Optional.empty();
        }
        Path plan = CheckpointStore.planFile(resumed.path());
        return Files.exists(plan) ? Optional.of(plan) : Optional.empty();
    }

    private CheckpointStore.Found resumed;

    private IterationEnergy iterationEnergy;
    private final long[] energyWindowMillis = new long[2];

    /**
     * The GPU ordinals of --devices for a plan of {@code planDevices} devices, or null without the flag.
     *
     * @throws UserInputException when the list is malformed, repeats a GPU or does not match the plan
     */
    int[] gpuOrdinals(int planDevices) {
        int[] ordinals = listedGpus();
        if (ordinals != null && ordinals.length != planDevices) {
            throw new UserInputException("--devices lists " + ordinals.length + " GPUs but the plan has " + planDevices
                    + " devices: list one GPU per device");
        }
        return ordinals;
    }

    /**
     * The GPU ordinals --devices lists, or null without the flag: in one process one per device of the
     * plan, under a launcher this host's GPUs for all its ranks ({@link io.github.alpa4j.engine.dist.RankGpus}).
     *
     * @throws UserInputException when the list is malformed or repeats a GPU
     */
    int[] listedGpus() {
        return DeviceList.parse(devices);
    }

    boolean cudaBackend() {
        return switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
    }

    /** This process's steps, watched until they settle (the measured iteration leaves out the steps before). */
    private SteadyState steady;

    /** The steps left, with the progress bar, logs, metrics file, checkpoints and energy laps along the way. */
    private TrainResult run(TrainProgress progress, TrainCheckpoints ckpts, Map<String, Object> run) {
        long every = logEvery != null ? logEvery : Math.max(1, steps / 10);
        TrainOptions options = TrainOptions.of(steps).resumedAfter(ckpts.history()).divergenceFactor(divergenceFactor)
                .allowDivergence(allowDivergence).stopWhen(Interruption::requested).build();
        boolean[] first = {true};
        steady = SteadyState.ofThisJvm().resumedAfter(ckpts.history().size());
        return progress.run(options, every, ckpts, run, s -> {
            steady.step(s.seconds());
            if (liveEnergyPlan != null) {
                liveEnergyPlan.afterStep();
            }
            if (iterationEnergy != null) {
                iterationEnergy.lap(s.tokensPerSecond() * s.seconds());
                // the measured window (every step of this run but its first) in wall-clock time, for outside meters
                energyWindowMillis[first[0] ? 0 : 1] = System.currentTimeMillis();
            }
            first[0] = false;
        });
    }

    Map<String, Object> config(String backendName, Map<String, Object> mode) {
        Map<String, Object> c = model.sizes();
        c.put("batch", model.batchSize());
        c.put("precision", model.precision.trim().toLowerCase(java.util.Locale.ROOT));
        c.put("steps", steps);
        c.put("optimizer", optimizer.optimizer);
        c.put("lr", optimizer.build().lr());
        c.put("seed", seed);
        c.put("backend", backendName);
        c.putAll(mode);
        return c;
    }
}
