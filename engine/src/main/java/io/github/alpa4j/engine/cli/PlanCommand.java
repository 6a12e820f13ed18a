package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.engine.report.Reports;
import io.github.alpa4j.ir.json.GraphJson;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanJson;
import io.github.alpa4j.planner.plan.PlanReport;
import io.github.alpa4j.planner.stage.PipelineJson;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.plan.Units;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.planner.stage.PipelineReport;
import io.github.alpa4j.planner.stage.PlanningProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import io.github.alpa4j.energy.cli.FrontierReport;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code alpa4j plan}: shards a training step over a device mesh (Alpa's intra-operator pass), or with
 * {@code --pipeline} (or a Megatron pipeline plan) cuts it into pipeline stages over the whole cluster
 * (the inter-operator pass), and prints the plan.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plan the sharding of a training step on a device mesh and print strategies, costs and collectives.",
            "With --pipeline, plan stages over every device of the cluster (Alpa's inter-operator pass: layers, submeshes,",
            "microbatches, an intra-op plan per stage) and print the stages and a Gantt chart of the schedule.",
            "--plan megatron:dp=D,tp=T,pp=P[,zero=1] costs one Megatron plan, --plan megatron-best the best dp x tp x pp."})
public class PlanCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    OptimizerOptions optimizer = new OptimizerOptions();

    @Option(names = "--graph", description = "Plan this graph (JSON, docs/graph-json.md) instead of building --model.")
    Path graphFile;

    @Option(names = "--export-graph", description = "Write the training graph that is planned to this JSON file.")
    Path exportGraph;

    @Option(names = "--cluster", defaultValue = "cpu",
            description = "Cluster preset (p3.16xlarge, dgx-a100, hgx-h100, h100, cpu) or a JSON file (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--hosts", description = "Hosts of the cluster preset (default: 1, or the file's).")
    Integer hosts;

    @Option(names = "--mesh", description = "Logical mesh ROWSxCOLS, e.g. 2x4 (default: hosts x GPUs per host).")
    String mesh;

    @Option(names = "--plan", defaultValue = "auto", description = "On a mesh: auto, dp, dp-zero (optimizer states sharded),"
            + " megatron, dp-megatron or ep-dp (MoE: DeepSpeed's experts split over the mesh + data parallel). Pipelines: auto"
            + " (with --pipeline), megatron:dp=D,tp=T,pp=P[,zero=1], megatron-best, or ep-dp with --pipeline (one stage on every"
            + " device, microbatches as gradient accumulation)"
            + " (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--pipeline", description = "Plan pipeline stages over all devices of the cluster instead of sharding over one --mesh.")
    boolean pipeline;

    @Mixin
    PipelineOptions pipelineOptions = new PipelineOptions();

    @Option(names = "--objective", defaultValue = "time",
            description = "Pipelines: choose the plan for time (Alpa's) or energy: the least joules per iteration, frequencies"
                    + " included, within --max-slowdown of the fastest candidate (default: ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--max-slowdown", defaultValue = "0",
            description = "With --objective energy: the iteration may take this fraction longer than the fastest plan's (0.05 = 5 %%; default: ${DEFAULT-VALUE}).")
    double maxSlowdown;

    @Option(names = "--candidates", defaultValue = "8",
            description = "With --objective energy: how many of the fastest pipelines to compare, besides the fastest of each"
                    + " stage count and microbatch count (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--gpu", description = "Pipelines: the energy model's GPU, a100|a40|h100|v100 or a GPU file from 'energy calibrate'"
            + " (default: the cluster's GPU; docs/energy-model.md).")
    String gpu;

    @Option(names = "--profile", description = "With --objective energy: a measured Perseus profile CSV ('energy profile -o') of the"
            + " time-optimal pipeline; it replaces the model for the candidates of its stage and microbatch counts.")
    Path profile;

    @Option(names = "--memory-budget", description = "Memory per device in GiB that the plan must fit.")
    Double memoryBudget;

    @Option(names = "--zero-compute-cost", description = "Alpa's convention: count communication only, forbid replicated matmuls.")
    boolean zeroComputeCost;

    @Option(names = "--time-limit", defaultValue = "60", description = "ILP solver time limit in seconds (default: ${DEFAULT-VALUE}).")
    double timeLimit;

    @Option(names = "--json", description = "Write the plan to this JSON file (docs/plan-json.md).")
    Path json;

    @Option(names = "--report", description = "Write a self-contained HTML report of the plan (mesh, stages, schedule, each node's"
            + " sharding and the collectives it implies) to this file.")
    Path report;

    @Option(names = "--no-progress", description = "No progress bars while planning (they are shown only on a terminal).")
    boolean noProgress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        CommandClock clock = main != null ? main.clock() : CommandClock.startingNow();
        clock.started();
        PrintWriter out = spec.commandLine().getOut();
        boolean pipelines = pipeline || PipelinePlanning.isPipelinePlan(method);
        checkFlags(pipelines);
        // a pipeline plans the graph of one microbatch: the whole batch's graph only to export it, or for a mesh
        Graph graph = exportGraph != null || !pipelines || graphFile != null ? trainingGraph(clock) : null;
        if (exportGraph != null) {
            OutputFile.write(exportGraph, GraphJson.toJson(graph));
            out.println("graph written to " + exportGraph);
        }
        Cluster c = Clusters.resolve(cluster, hosts);
        if (pipelines) {
            PlanningProgress progress = PlanProgress.of(!noProgress);
            PipelinePlanning planning = new PipelinePlanning(PipelinePlanning.of(this, graph, clock, progress), c);
            GpuSpec energyGpu = energyGpu(c);
            boolean forEnergy = objective.equals("energy");
            List<PipelinePlan> plans = forEnergy ? planning.candidates(progress, candidates) : List.of(planning.plan(progress));
            // the time objective reports energy where it can; a pipeline too long for the frontier solver is only planned
            boolean modelled = energyGpu != null && (forEnergy || PlanEnergy.computations(plans.get(0)) <= FrontierReport.MAX_COMPUTATIONS);
            PlanEnergy energy = modelled ? PlanEnergy.of(objective, plans, energyGpu, tokensPerIteration(), maxSlowdown,
                    profile == null ? null : io.github.alpa4j.energy.profile.ProfileCsv.read(profile)) : null;
            PipelinePlan plan = energy != null ? energy.chosenPlan() : plans.get(0);
            if (plan.stats().isPresent()) {
                plan = plan.withStats(plan.stats().get().within(clock.phases(), clock.elapsed()));
            }
            out.print(PipelineReport.render(plan));
            if (energy != null) {
                out.print(energy.render());
            } else {
                out.println(energyGpu == null
                        ? "energy: not modelled (the energy model knows no GPU like '" + c.gpu().name() + "'; give --gpu a100|a40|h100|v100|FILE.json)"
                        : "energy: not modelled (" + PlanEnergy.computations(plans.get(0)) + " computations; the frontier is solved for at most "
                                + FrontierReport.MAX_COMPUTATIONS + ")");
            }
            if (json != null) {
                OutputFile.write(json, energy != null ? energy.planJson(plan) : PipelineJson.toJson(plan));
                out.println("plan written to " + json);
            }
            if (report != null) {
                Reports.plan(plan).write(report);
                out.println("report written to " + report);
            }
            out.flush();
            return 0;
        }
        DeviceMesh m = DeviceMesh.parse(c, mesh != null ? mesh : c.hosts() + "x" + c.gpusPerHost());
        IntraOpPlan plan = RematPlanning.plan(graph, m, options(), PlanMethod.parse(method), model.remat());
        out.print(PlanReport.render(plan));
        warnOverMemory(out, plan.workingMemoryBytes(), c);
        if (json != null) {
            OutputFile.write(json, PlanJson.toJson(plan));
            out.println("plan written to " + json);
        }
        if (report != null) {
            Reports.plan(plan).write(report);
            out.println("report written to " + report);
        }
        out.flush();
        return 0;
    }

    /** Refuses flags that do nothing here, and output paths that cannot be written, before any work. */
    private void checkFlags(boolean pipelined) {
        var parsed = spec.commandLine().getParseResult();
        if (graphFile != null) {
            for (String f : parsed.matchedOptions().stream().map(o -> o.longestName()).toList()) {
                if (f.equals("--model") || f.equals("--batch") || f.equals("--optimizer") || f.equals("--lr") || f.equals("--momentum")
                        || f.equals("--weight-decay") || f.equals("--precision") || InapplicableFlags.GPT_FLAGS.contains(f) || InapplicableFlags.MLP_FLAGS.contains(f)) {
                    throw new UserInputException(f + " does nothing with --graph (the graph file is planned as it is)");
                }
            }
        } else {
            if (model.isTf32()) {
                throw new UserInputException("--precision tf32 is a CUDA matmul mode of train; plan in fp32, bf16 or fp16");
            }
            InapplicableFlags.model(parsed, model);
            model.checkGraphSize(optimizer.build());
        }
        if (!pipelined) {
            List<String> pipelineOnly = new java.util.ArrayList<>(InapplicableFlags.PIPELINE_FLAGS);
            pipelineOnly.addAll(java.util.List.of("--objective", "--max-slowdown", "--candidates", "--gpu", "--profile"));
            for (String f : pipelineOnly) {
                if (parsed.hasMatchedOption(f)) {
                    throw new UserInputException(f + " does nothing without a pipeline (--pipeline, or --plan megatron:dp=D,tp=T,pp=P)");
                }
            }
        }
        if (!objective.equals("time") && !objective.equals("energy")) {
            throw new UserInputException("--objective must be time or energy, got '" + objective + "'");
        }
        if (objective.equals("time")) {
            for (String f : java.util.List.of("--max-slowdown", "--candidates")) {
                if (parsed.hasMatchedOption(f)) {
                    throw new UserInputException(f + " does nothing with --objective time (it shapes the energy objective's choice)");
                }
            }
        }
        if (!(maxSlowdown >= 0) || !(maxSlowdown <= io.github.alpa4j.energy.plan.EnergyObjective.MAX_SLOWDOWN)) {
            throw new UserInputException("--max-slowdown must be a fraction from 0 to " + (int) io.github.alpa4j.energy.plan.EnergyObjective.MAX_SLOWDOWN
                    + " (0.05 is 5 %), got " + maxSlowdown);
        }
        if (candidates < 1) {
            throw new UserInputException("--candidates must be at least 1, got " + candidates);
        }
        Path clusterFile = cluster.endsWith(".json") ? Path.of(cluster) : null;
        Path gpuFile = gpu != null && gpu.endsWith(".json") ? Path.of(gpu) : null;
        if (json != null) {
            OutputFile.check("--json", json, graphFile, clusterFile, gpuFile, profile);
        }
        if (exportGraph != null) {
            OutputFile.check("--export-graph", exportGraph, graphFile, clusterFile, json);
        }
        if (report != null) {
            OutputFile.check("--report", report, graphFile, clusterFile, json, exportGraph);
        }
    }

    /** The energy model's GPU: --gpu, else the cluster's if the model knows it, else null (for --objective time only). */
    private GpuSpec energyGpu(Cluster c) {
        if (gpu != null) {
            return GpuSpecJson.resolve(gpu);
        }
        try {
            return ModelProfile.energySpec(c);
        } catch (io.github.alpa4j.energy.EnergyInputException e) {
            if (objective.equals("energy")) {
                throw new UserInputException("--objective energy: " + e.getMessage());
            }
            return null;
        }
    }

    /** Tokens one iteration trains on: the batch's sequences times their length (GPT), its samples (MLP); 0 for a graph file. */
    private double tokensPerIteration() {
        if (graphFile != null) {
            return 0;
        }
        return model.isGpt() ? (double) model.batchSize() * model.seq : model.batchSize();
    }

    /** A plan is printed even when a device of the cluster cannot hold it; this line says so. */
    private static void warnOverMemory(PrintWriter out, long bytesPerDevice, Cluster c) {
        if (bytesPerDevice > c.gpu().memoryBytes()) {
            out.printf("warning: the plan needs %s on a device, more than the %s of one %s: it would not run there"
                    + " (--memory-budget plans within a limit)%n", Units.bytes(bytesPerDevice), Units.bytes(c.gpu().memoryBytes()), c.gpu().name());
        }
    }

    /** The graph to plan: read from --graph, or the --model's training step (forward, backward, update). */
    Graph trainingGraph(CommandClock clock) {
        if (graphFile != null) {
            Graph g = clock.time(CommandClock.GRAPH, () -> GraphJson.read(graphFile));
            if (g.size() > ModelOptions.MAX_GRAPH_NODES) {
                throw new UserInputException(String.format(java.util.Locale.ROOT, "graph file %s has %,d nodes; alpa4j plans graphs of at most %,d",
                        graphFile, g.size(), ModelOptions.MAX_GRAPH_NODES));
            }
            return g;
        }
        return trainingGraph(model.batchSize(), clock);
    }

    /** The --model's training step on {@code batch} samples: the graph of one microbatch. */
    Graph trainingGraph(int batch, CommandClock clock) {
        Graph forward = clock.time(CommandClock.GRAPH, () -> model.build(batch).forward());
        return clock.time(CommandClock.AUTODIFF, () -> DeadCodeElimination.apply(Autodiff.training(forward, "loss", optimizer.build(),
                model.precision().lossScaling())));
    }

    PlannerOptions options() {
        if (!(timeLimit > 0)) {
            throw new UserInputException("--time-limit must be positive, got " + timeLimit);
        }
        PlannerOptions o = PlannerOptions.defaults().withZeroComputeCost(zeroComputeCost).withTimeLimitSeconds(timeLimit);
        return memoryBudget != null ? o.withMemoryBudgetGiB(memoryBudget) : o;
    }
}
