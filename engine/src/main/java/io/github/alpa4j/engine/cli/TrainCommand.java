package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
import io.github.alpa4j.energy.monitor.EnergySummary;
import io.github.alpa4j.energy.monitor.IterationEnergy;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.engine.dist.Rendezvous;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.engine.train.TrainReport;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.engine.train.Trainer;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineReport;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanJson;
import io.github.alpa4j.planner.plan.PlanReader;
import io.github.alpa4j.planner.plan.Units;
import java.util.List;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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
            + " (ROWS hosts of COLS devices) or of the whole cluster, and train the pipeline on simulated CPU devices.")
    boolean pipeline;

    @Option(names = "--intra-op-only", description = "With --plan auto on a --mesh: one intra-op plan over the whole mesh"
            + " (Alpa's ShardParallel) instead of the full search over pipeline stages (its PipeshardParallel).")
    boolean intraOpOnly;

    @Mixin
    PipelineOptions pipelineOptions = new PipelineOptions();

    @Option(names = "--backend", defaultValue = "cpu",
            description = "cpu (simulated devices, the default) or cuda (GPU 0; a mesh shares the card as logical devices).")
    String backend;

    @Option(names = "--precision", defaultValue = "fp32",
            description = "Matmul precision on the CUDA backend: fp32, tf32 or bf16 (default: ${DEFAULT-VALUE}).")
    String precision;

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
        java.util.Optional<LaunchEnv> launch = LaunchEnv.detect(environment);
        if (launch.isPresent() && launch.get().distributed()) {
            return multiProcess(launch.get(), out);
        }
        Model m = model.build();
        DataSource data = model.data(m, seed);
        Optimizer opt = optimizer.build();
        Graph g = Autodiff.training(m.forward(), "loss", opt);
        out.printf("%s: %,d parameters, %d graph nodes; %s%n", m.name(), m.forward().parameterCount(), g.size(), data.describe());
        data.lossFloor().ifPresent(f -> out.printf("entropy floor (best reachable loss): %.4f nats%n", f));
        boolean cuda = cudaBackend();
        MatmulPrecision mp = parsePrecision();
        if (!cuda && mp != MatmulPrecision.FP32) {
            throw new UserInputException("--precision " + precision + " needs --backend cuda (the CPU computes in fp32)");
        }
        boolean pipelinePlan = pipeline || PipelinePlanning.isPipelinePlan(meshOptions.method);
        if (intraOpOnly && pipelinePlan) {
            throw new UserInputException("--intra-op-only contradicts --pipeline and megatron: pipeline plans");
        }
        // Alpa's automatic plan on a mesh searches pipeline stages too (one stage is among the candidates);
        // saved plans hold one intra-op plan, and pipelines run on the CPU backend only
        boolean autoStages = meshOptions.method.equals("auto") && meshOptions.mesh != null && !intraOpOnly && !cuda
                && loadPlan == null && savePlan == null;
        boolean pipelined = pipelinePlan || autoStages;
        if (cuda && pipelined) {
            throw new UserInputException("pipelines run on simulated CPU devices for now; drop --backend cuda, or drop --pipeline");
        }
        if (cuda) {
            Backends.requireGpu();
        }
        NvmlEnergySource energySource = energy ? openEnergySource(cuda) : null;
        boolean sharded = meshOptions.mesh != null || loadPlan != null;
        BackendRunner runner;
        String stageTimes = "";
        try {
            if (pipelined) {
                if (loadPlan != null || savePlan != null) {
                    throw new UserInputException("--load-plan and --save-plan hold intra-op plans; a pipeline is planned on every run"
                            + " (see ./alpa4j plan --pipeline --json for its plan)");
                }
                PipelinePlan plan = pipelinePlan(opt);
                out.print(PipelineReport.render(plan));
                pipelineDescription = Backends.describe(plan);
                runner = Backends.cpuPipeline(plan, seed);
            } else if (sharded) {
                MeshProgram program = Lowering.lower(meshPlan(g, out));
                runner = cuda ? Backends.cudaMesh(program, mp, seed) : Backends.cpuMesh(program, seed);
            } else {
                runner = cuda ? Backends.singleCuda(g, mp, seed, Set.of("loss")) : Backends.singleCpu(g, seed, Set.of("loss"));
            }
        } catch (RuntimeException e) {
            if (energySource != null) {
                energySource.close();
            }
            throw e;
        }
        backendName = runner.description();
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
            if (runner.runner() instanceof PipelineRuntime<?, ?> p) {
                stageTimes = measuredStages(p);
            }
        } finally {
            closeQuietly(runner);
            if (energySource != null) {
                energySource.close();
            }
        }
        out.print(TrainReport.summary(r));
        out.print(stageTimes);
        if (measured != null) {
            out.printf("energy %.1f J per step, %.0f W average, %.1f tokens/J (GPU 0 through NVML; first step left out)%n",
                    measured.joulesPerIteration(), measured.averagePowerWatts(), measured.tokensPerJoule());
        }
        if (json != null) {
            Map<String, Object> report = TrainReport.toJson(r, config());
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

    private boolean cudaBackend() {
        return switch (backend.toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
    }

    /**
     * One rank of a multi-process job: meets the others through rank 0's store and receives the
     * job's NCCL id. Training across processes needs NCCL between GPUs, which the CPU backend has
     * no counterpart of; the engine itself still drives its devices from one process, so after a
     * successful rendezvous this refuses, saying so.
     */
    private Integer multiProcess(LaunchEnv env, PrintWriter out) {
        if (!cudaBackend()) {
            throw new UserInputException("multi-process training (WORLD_SIZE=" + env.worldSize() + ") needs --backend cuda with NCCL "
                    + "between the processes; --backend cpu simulates a mesh inside one process: run it without a launcher, with --mesh");
        }
        if (!(rendezvousTimeout > 0)) {
            throw new UserInputException("--rendezvous-timeout must be positive, got " + rendezvousTimeout);
        }
        try (Rendezvous rv = Rendezvous.join(env, java.time.Duration.ofMillis(Math.round(rendezvousTimeout * 1000)))) {
            rv.barrier("train");
            NcclUniqueId id = rv.exchangeNcclId(() -> {
                requireNccl(env);
                return NcclUniqueId.create();
            });
            requireNccl(env);
            out.printf("rank %d of %d: rendezvous at %s:%d done, NCCL id %s%n", env.rank(), env.worldSize(), env.masterAddr(), rv.port(), id);
            out.flush();
            throw new UserInputException("multi-process training is not available yet: the " + env.worldSize()
                    + " ranks met and share an NCCL id, but the engine drives its devices from one process; on one host use --mesh");
        }
    }

    private static void requireNccl(LaunchEnv env) {
        try {
            Gpu.require(CudaLibrary.CUDART, CudaLibrary.CUBLAS, CudaLibrary.NVRTC, CudaLibrary.NCCL);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("multi-process training needs the cuda backend with NCCL on every rank; rank " + env.rank()
                    + ": " + e.getMessage(), e);
        }
    }

    private String backendMesh = "";
    private String backendName = "cpu";
    private String pipelineDescription = "";

    /** Each stage's measured forward and backward time per microbatch in the last step, beside the plan's prediction. */
    static String measuredStages(PipelineRuntime<?, ?> p) {
        StringBuilder sb = new StringBuilder("stage times in the last step, per microbatch (measured on the first device, waiting excluded; predicted):\n");
        List<List<PipelineRuntime.TaskTiming>> tasks = p.lastStepTasks();
        int device = 0;
        for (var stage : p.plan().stages()) {
            double[] sum = new double[2];
            int[] count = new int[2];
            for (PipelineRuntime.TaskTiming t : tasks.get(device)) {
                sum[t.pass().ordinal()] += t.computeNanos() * 1e-9;
                count[t.pass().ordinal()]++;
            }
            sb.append(String.format(java.util.Locale.ROOT, "  stage %d: forward %s (predicted %s), backward %s (predicted %s)%n",
                    stage.index(), Units.seconds(sum[0] / Math.max(1, count[0])), Units.seconds(stage.cost().forwardSeconds()),
                    Units.seconds(sum[1] / Math.max(1, count[1])), Units.seconds(stage.cost().backwardSeconds())));
            device += stage.mesh().deviceCount();
        }
        return sb.toString();
    }

    /** The pipeline plan over the --mesh devices (ROWS hosts of COLS devices) or the whole cluster. */
    private PipelinePlan pipelinePlan(Optimizer opt) {
        Cluster c = meshOptions.cluster();
        if (meshOptions.mesh != null) {
            DeviceMesh m = meshOptions.mesh("1x1");
            c = new Cluster(c.name(), m.rows(), m.cols(), c.gpu(), c.intraHost(), c.interHost());
        }
        PipelinePlanning.Request request = new PipelinePlanning.Request(meshOptions.method, pipelineOptions, meshOptions.options(),
                meshOptions.memoryBudget != null, m -> microbatchGraph(opt, model.batchSize() / m), model.batchSize());
        return new PipelinePlanning(request, c).plan();
    }

    /** The training step of one microbatch of {@code batch} samples. */
    private Graph microbatchGraph(Optimizer opt, int batch) {
        return DeadCodeElimination.apply(Autodiff.training(model.build(batch).forward(), "loss", opt).keepOutputs(List.of("loss")));
    }

    private MatmulPrecision parsePrecision() {
        return MatmulPrecision.parse(precision);
    }

    /** Plans (or loads) the sharding of the step on the mesh. */
    private IntraOpPlan meshPlan(Graph g, PrintWriter out) {
        Graph step = DeadCodeElimination.apply(g.keepOutputs(List.of("loss")));
        String fallback = loadPlan != null ? PlanReader.meshShape(loadPlan) : "1x1";
        DeviceMesh mesh = meshOptions.mesh(fallback);
        IntraOpPlan plan = loadPlan != null ? PlanReader.read(loadPlan, step, mesh, meshOptions.options())
                : PlanMethod.parse(meshOptions.method).plan(step, mesh, meshOptions.options());
        if (savePlan != null) {
            PlanJson.write(plan, savePlan);
        }
        backendMesh = mesh.toString();
        out.printf("plan %s on mesh %s (%s): predicted %s per step on %s, %d collectives, %s per device%n", plan.method(), mesh,
                plan.status(), Units.seconds(plan.iterationTime()), meshOptions.cluster, plan.collectives().size(),
                Units.bytes(plan.workingMemoryBytes()));
        return plan;
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

    private Map<String, Object> config() {
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
        c.put("steps", steps);
        c.put("optimizer", optimizer.optimizer);
        c.put("lr", optimizer.build().lr());
        c.put("seed", seed);
        c.put("backend", backendName);
        if (!pipelineDescription.isEmpty()) {
            c.put("pipeline", pipelineDescription);
            if (meshOptions.mesh != null) {
                c.put("mesh", meshOptions.mesh);
            }
            c.put("plan", meshOptions.method);
            c.put("cluster", meshOptions.cluster);
        } else if (!backendMesh.isEmpty()) {
            c.put("mesh", backendMesh);
            c.put("plan", loadPlan != null ? "file:" + loadPlan : meshOptions.method);
            c.put("cluster", meshOptions.cluster);
        }
        return c;
    }
}
