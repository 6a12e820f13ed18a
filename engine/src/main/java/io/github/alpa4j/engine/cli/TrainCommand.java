package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.monitor.EnergySummary;
import io.github.alpa4j.energy.monitor.IterationEnergy;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.train.CostCheck;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.engine.train.TrainReport;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.engine.train.Trainer;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.plan.Units;
import java.util.List;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
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

    @Option(names = "--energy", description = "Measure GPU 0's energy through NVML: joules per step, average power, tokens per joule (needs the NVIDIA driver).")
    boolean energy;

    @Option(names = "--energy-sample-ms", defaultValue = "20", description = "With --energy: milliseconds between NVML samples (default: ${DEFAULT-VALUE}).")
    int energySampleMs;

    @Option(names = "--rendezvous-timeout", defaultValue = "300",
            description = "Under a launcher: seconds to wait for the other ranks at each rendezvous step (default: ${DEFAULT-VALUE}).")
    double rendezvousTimeout;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Where launcher variables (RANK, WORLD_SIZE, ...) come from; tests give their own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (steps <= 0) {
            throw new UserInputException("--steps must be positive, got " + steps);
        }
        RunMode mode = RunMode.of(this, LaunchEnv.detect(environment));
        var scaling = lossScale.settings(model.precision().lossScaling());
        Model m = model.build();
        DataSource data = model.data(m, seed);
        Optimizer opt = optimizer.build();
        Graph g = model.trainingStep(m, opt);
        out.printf("%s: %,d parameters, %d graph nodes; %s%n", m.name(), m.forward().parameterCount(), g.size(), data.describe());
        data.lossFloor().ifPresent(f -> out.printf("entropy floor (best reachable loss): %.4f nats%n", f));
        NvmlEnergySource energySource = energy ? openEnergySource(cudaBackend()) : null;
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
            runner.useLossScaling(scaling);
        }
        TrainResult r;
        EnergySummary measured = null;
        try (EnergyMonitor monitor = energySource == null ? null : EnergyMonitor.start(energySource, java.time.Duration.ofMillis(energySampleMs))) {
            iterationEnergy = monitor == null ? null : new IterationEnergy(monitor);
            if (iterationEnergy != null) {
                iterationEnergy.begin();
            }
            r = run(m, runner, runner.description(), data, out);
            if (iterationEnergy != null) {
                measured = iterationEnergy.summary();
            }
        } finally {
            closeQuietly(runner);
            if (energySource != null) {
                energySource.close();
            }
        }
        out.print(TrainReport.summary(r));
        java.util.Optional<CostCheck> check = prepared.check(r);
        check.ifPresent(c -> out.print(c.render()));
        if (measured != null) {
            out.printf("energy %.1f J per step, %.0f W average, %.1f tokens/J (GPU 0 through NVML; first step left out)%n",
                    measured.joulesPerIteration(), measured.averagePowerWatts(), measured.tokensPerJoule());
        }
        if (json != null) {
            Map<String, Object> report = TrainReport.toJson(r, config(runner.description(), prepared.config()));
            check.ifPresent(c -> c.addTo(report));
            if (measured != null) {
                TrainReport.addEnergy(report, measured);
                if (energyWindowMillis[1] > energyWindowMillis[0]) {
                    report.put("energy_window_unix_ms", List.of(energyWindowMillis[0], energyWindowMillis[1]));
                }
            }
            TrainReport.write(json, report);
            out.println("metrics written to " + json);
        }
        return 0;
    }

    private IterationEnergy iterationEnergy;
    private final long[] energyWindowMillis = new long[2];

    /** GPU 0's energy counter, or a one-line error saying why it cannot be read. */
    private NvmlEnergySource openEnergySource(boolean cuda) {
        if (energySampleMs <= 0) {
            throw new UserInputException("--energy-sample-ms must be positive, got " + energySampleMs);
        }
        NvmlEnergySource src;
        try {
            src = NvmlEnergySource.open(0);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--energy needs NVML and the NVIDIA driver: " + e.getMessage(), e);
        }
        if (!cuda) {
            src.close();
            throw new UserInputException("--energy measures the GPU's energy: use it with --backend cuda (the CPU's energy is not measured)");
        }
        return src;
    }

    boolean cudaBackend() {
        return switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the mesh runtime failed", e);
        }
    }

    private TrainResult run(Model m, StepRunner runner, String backend, DataSource data, PrintWriter out) {
        long every = logEvery != null ? Math.max(1, logEvery) : Math.max(1, steps / 10);
        boolean bar = !noProgress && System.console() != null;
        ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null;
        try {
            return Trainer.train(m, runner, backend, data, steps, s -> {
                if (iterationEnergy != null) {
                    iterationEnergy.lap(s.tokensPerSecond() * s.seconds());
                    // the measured window (every step but the first) in wall-clock time, for outside meters
                    energyWindowMillis[s.step() == 0 ? 0 : 1] = System.currentTimeMillis();
                }
                if (pb != null) {
                    pb.step();
                    pb.setExtraMessage(String.format("loss %.4f, %.0f tok/s", s.loss(), s.tokensPerSecond()));
                }
                if (s.step() % every == 0 || s.step() == steps - 1) {
                    log(out, pb, s);
                }
            });
        } finally {
            if (pb != null) {
                pb.close();
            }
        }
    }

    private static void log(PrintWriter out, ProgressBar pb, StepMetrics s) {
        StringBuilder line = new StringBuilder(String.format("step %5d  loss %.4f  %8.0f tokens/s  %.3f s", s.step(), s.loss(),
                s.tokensPerSecond(), s.seconds()));
        if (s.lossScaled()) {
            line.append(String.format("  scale %.0f%s", s.lossScale(), s.skipped() ? " (overflow: update skipped)" : ""));
        }
        if (s.peakBytesPerDevice().length > 1) {
            line.append("  comm");
            if (s.collectiveBytes().isEmpty()) {
                line.append(" none");
            }
            s.collectiveBytes().forEach((kind, bytes) -> line.append(' ').append(kind).append(' ').append(Units.bytes(bytes)));
            long max = java.util.Arrays.stream(s.peakBytesPerDevice()).max().orElse(0);
            long min = java.util.Arrays.stream(s.peakBytesPerDevice()).min().orElse(0);
            line.append("  peak ").append(Units.bytes(min)).append(min == max ? "" : "-" + Units.bytes(max)).append("/device");
        }
        if (pb != null) {
            // keep the bar on its own line: print above it
            System.err.print("\r\033[K");
        }
        out.println(line);
        out.flush();
    }

    private Map<String, Object> config(String backendName, Map<String, Object> mode) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", model.model);
        if (model.isGpt()) {
            c.put("layers", model.layers);
            c.put("heads", model.heads);
            c.put("hidden", model.hidden);
            c.put("seq", model.seq);
            c.put("vocab", model.vocab);
        } else {
            c.put("depth", model.depth);
            c.put("width", model.width);
            c.put("in_dim", model.inDim);
            c.put("out_dim", model.outDim);
        }
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
