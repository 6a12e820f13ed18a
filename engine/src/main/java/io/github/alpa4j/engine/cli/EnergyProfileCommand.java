package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Nvml;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.control.NvmlClocks;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.ProfileCsv;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.energy.SimulatedGpus;
import io.github.alpa4j.engine.energy.StageProfiler;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.engine.runtime.MemoryEstimate;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpa4j energy profile}: plans and builds a pipeline as {@code train --pipeline} does, then measures each
 * stage's forward and backward time and energy at each clock and writes the Perseus profile CSV that
 * {@code energy frontier --profile} reads. Clocks are stepped only with {@code --apply-clocks}; otherwise the
 * profile has the current clock only and nothing is set. On the CPU backend the GPUs are simulated
 * ({@link SimulatedGpus}): the profile is the energy model's, run on this machine's pass times.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Measure each pipeline stage's forward and backward time and energy at each GPU clock and write the",
            "Perseus profile CSV that 'energy frontier --profile' reads. Takes the model and pipeline flags of 'train --pipeline'.",
            "Clocks are stepped only with --apply-clocks (and root or CAP_SYS_ADMIN); without it, the current clock only.",
            "On --backend cpu the GPUs are simulated: a GPU preset's clocks and power model on this machine's pass times."})
public class EnergyProfileCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    OptimizerOptions optimizer = new OptimizerOptions();

    @Mixin
    LossScaleOptions lossScale = new LossScaleOptions();

    @Mixin
    MeshOptions meshOptions = new MeshOptions();

    @Option(names = "--pipeline", description = "Plan pipeline stages over the devices of --mesh or the cluster, as train --pipeline does (required).")
    boolean pipeline;

    @Mixin
    PipelineOptions pipelineOptions = new PipelineOptions();

    @Option(names = {"-o", "--out"}, required = true, description = "The profile CSV to write (stage,instruction,frequency,time,energy).")
    Path out;

    @Option(names = "--apply-clocks", description = "Step every device through the clocks (needs root or CAP_SYS_ADMIN on a GPU); the"
            + " clocks are reset when done. Without it nothing is set and the profile has the current clock only.")
    boolean applyClocks;

    @Option(names = "--clocks", split = ",", paramLabel = "MHZ", description = "With --apply-clocks: these clocks only (default: every supported clock).")
    List<Integer> clocks = new ArrayList<>();

    @Option(names = "--iterations", defaultValue = "3", description = "Measured iterations per clock (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup", defaultValue = "1", description = "Iterations run before measuring at each clock (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--gpu", description = "--backend cpu: the GPU the simulated devices stand for, " + "a100|a40|h100|v100 (default: a100).")
    String gpu;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu (simulated GPUs, the default) or cuda (logical devices sharing GPU 0; NVML's clocks and energy).")
    String backend;

    @Option(names = "--energy-sample-ms", defaultValue = "20", description = "--backend cuda: milliseconds between NVML samples (default: ${DEFAULT-VALUE}).")
    int energySampleMs;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights and the data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        boolean cuda = checkFlags();
        GpuSpec simulated = cuda ? null : GpuSpec.preset(gpu == null ? "a100" : gpu).orElseThrow(() -> new UserInputException(
                "--gpu must be one of " + String.join(", ", GpuSpec.PRESETS) + ", got '" + gpu + "'"));
        MatmulPrecision precision = RunMode.matmulPrecision(model, cuda); // refuses tf32 on the CPU, as train does
        var scaling = lossScale.settings(model.precision().lossScaling());
        Optimizer opt = optimizer.build();
        model.checkGraphSize(opt);
        Model m = model.build();
        DataSource data = model.data(m, seed);
        PipelinePlan plan = plan(opt);
        stdout.print(PipelineReport.render(plan));
        MemoryEstimate.require(MemoryEstimate.pipeline(plan), cuda, "the pipeline on " + plan.deviceCount() + " devices");
        List<Measurement> rows;
        String note;
        try (BackendRunner runner = cuda ? Backends.cudaPipeline(plan, precision, seed) : Backends.cpuPipeline(plan, seed)) {
            if (runner.lossScaled()) {
                runner.useLossScaling(scaling);
            }
            PipelineRuntime<?, ?> runtime = (PipelineRuntime<?, ?>) runner.runner();
            if (cuda) {
                rows = onGpu(plan, runner, runtime, data, stdout);
                note = "measured on GPU 0 through NVML";
            } else {
                SimulatedGpus gpus = new SimulatedGpus(simulated, plan.deviceCount(), System::nanoTime);
                try (EnergyMonitor monitor = EnergyMonitor.manual(gpus, gpus::nanos)) {
                    var setup = new StageProfiler.Setup(plan, runner, runtime, data::batch, gpus::clocks, d -> d, monitor, gpus::fake);
                    rows = run(setup, stdout);
                }
                note = "SIMULATED, not measured: the " + simulated.name() + " energy model's clocks and power on this CPU's pass times"
                        + " (docs/energy-model.md, 'energy profile')";
            }
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("closing the pipeline failed", e);
        }
        StringWriter csv = new StringWriter();
        try {
            ProfileCsv.write(rows, csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OutputFile.write(out, csv.toString());
        long clocksMeasured = rows.stream().mapToInt(Measurement::frequencyMhz).distinct().count();
        stdout.printf("profile of %d stages at %d clock%s written to %s (%s)%n", plan.stages().size(), clocksMeasured,
                clocksMeasured == 1 ? "" : "s", out, note);
        if (clocksMeasured < 2) {
            stdout.println("one clock only: 'energy frontier --profile' needs two or more; rerun with --apply-clocks to step the clocks");
        }
        stdout.flush();
        return 0;
    }

    /** Refuses what cannot run before any work; true for --backend cuda. */
    private boolean checkFlags() {
        if (!pipeline) {
            throw new UserInputException("energy profile measures the stages of a pipeline: add --pipeline (with the model and pipeline flags of train --pipeline)");
        }
        boolean cuda = switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
        if (cuda && gpu != null) {
            throw new UserInputException("--gpu names the GPU that simulated devices stand for; --backend cuda measures GPU 0 itself");
        }
        if (!cuda && spec.commandLine().getParseResult().hasMatchedOption("--energy-sample-ms")) {
            throw new UserInputException("--energy-sample-ms sets NVML's sampling: it goes with --backend cuda");
        }
        if (energySampleMs <= 0) {
            throw new UserInputException("--energy-sample-ms must be positive, got " + energySampleMs);
        }
        if (!clocks.isEmpty() && !applyClocks) {
            throw new UserInputException("--clocks steps the GPU clocks: it needs --apply-clocks (without it the profile is measured at the"
                    + " current clock only, and nothing is set)");
        }
        if (iterations < 1) {
            throw new UserInputException("--iterations must be 1 or more, got " + iterations);
        }
        if (warmup < 0) {
            throw new UserInputException("--warmup must be 0 or more, got " + warmup);
        }
        Path clusterFile = meshOptions.cluster.endsWith(".json") ? Path.of(meshOptions.cluster) : null;
        OutputFile.check("--out", out, clusterFile);
        return cuda;
    }

    /** The pipeline as {@code train --pipeline} plans it. */
    private PipelinePlan plan(Optimizer opt) {
        MeshOptions o = meshOptions;
        Cluster c = o.cluster();
        if (o.mesh != null) {
            DeviceMesh dm = o.mesh("1x1");
            c = c.withShape(dm.rows(), dm.cols());
        }
        PipelinePlanning.Request request = new PipelinePlanning.Request(o.method, pipelineOptions, o.options(),
                o.memoryBudget != null, mb -> DeadCodeElimination.apply(model.trainingStep(model.build(model.batchSize() / mb), opt)
                        .keepOutputs(List.of("loss"))), model.batchSize(), model.remat());
        return new PipelinePlanning(request, c).plan();
    }

    /** GPU 0 through NVML: its clocks (stepped only with --apply-clocks) and its energy counter. */
    private List<Measurement> onGpu(PipelinePlan plan, BackendRunner runner, PipelineRuntime<?, ?> runtime, DataSource data, PrintWriter stdout) {
        Nvml nvml;
        try {
            nvml = Nvml.open();
        } catch (CudaUnavailableException e) {
            throw new UserInputException("energy profile --backend cuda reads GPU 0's clocks and energy through NVML: " + e.getMessage(), e);
        }
        try (nvml; NvmlEnergySource source = NvmlEnergySource.open(0);
             EnergyMonitor monitor = EnergyMonitor.start(source, java.time.Duration.ofMillis(energySampleMs))) {
            GpuClocks clocks0 = new NvmlClocks(nvml.device(0));
            var setup = new StageProfiler.Setup(plan, runner, runtime, data::batch, d -> clocks0, d -> 0, monitor, t -> t);
            return run(setup, stdout);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("energy profile --backend cuda reads GPU 0's energy through NVML: " + e.getMessage(), e);
        } catch (CudaException e) {
            throw new UserInputException("energy profile: NVML cannot read GPU 0: " + e.getMessage(), e);
        }
    }

    private List<Measurement> run(StageProfiler.Setup setup, PrintWriter stdout) {
        StageProfiler profiler = new StageProfiler(setup, line -> {
            synchronized (stdout) {
                stdout.println("clocks: " + line);
                stdout.flush();
            }
        });
        List<Integer> steps = profiler.clocks(applyClocks, clocks);
        stdout.printf("%s %d clock%s (%s MHz), %d warm-up and %d measured iterations each%n",
                applyClocks ? "stepping through" : "not setting clocks (no --apply-clocks): measuring at", steps.size(),
                steps.size() == 1 ? "" : "s", steps.size() <= 6 ? steps.toString().replaceAll("[\\[\\]]", "")
                        : steps.getFirst() + " .. " + steps.getLast(), warmup, iterations);
        stdout.flush();
        return profiler.measure(steps, applyClocks, warmup, iterations, new ProfileProgress(spec.commandLine().getErr(), noProgress));
    }
}
