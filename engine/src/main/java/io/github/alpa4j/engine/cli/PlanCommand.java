package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
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
import io.github.alpa4j.planner.stage.PipelineReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
            + " megatron or dp-megatron. Pipelines: auto (with --pipeline), megatron:dp=D,tp=T,pp=P[,zero=1], or megatron-best"
            + " (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--pipeline", description = "Plan pipeline stages over all devices of the cluster instead of sharding over one --mesh.")
    boolean pipeline;

    @Mixin
    PipelineOptions pipelineOptions = new PipelineOptions();

    @Option(names = "--memory-budget", description = "Memory per device in GiB that the plan must fit.")
    Double memoryBudget;

    @Option(names = "--zero-compute-cost", description = "Alpa's convention: count communication only, forbid replicated matmuls.")
    boolean zeroComputeCost;

    @Option(names = "--time-limit", defaultValue = "60", description = "ILP solver time limit in seconds (default: ${DEFAULT-VALUE}).")
    double timeLimit;

    @Option(names = "--json", description = "Write the plan to this JSON file (docs/plan-json.md).")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (model.isTf32()) {
            throw new UserInputException("--precision tf32 is a CUDA matmul mode of train; plan in fp32, bf16 or fp16");
        }
        Graph graph = trainingGraph();
        if (exportGraph != null) {
            GraphJson.write(graph, exportGraph);
            out.println("graph written to " + exportGraph);
        }
        Cluster c = Clusters.resolve(cluster, hosts);
        if (pipeline || PipelinePlanning.isPipelinePlan(method)) {
            PipelinePlan plan = new PipelinePlanning(PipelinePlanning.of(this, graph), c).plan();
            out.print(PipelineReport.render(plan));
            if (json != null) {
                PipelineJson.write(plan, json);
                out.println("plan written to " + json);
            }
            out.flush();
            return 0;
        }
        DeviceMesh m = DeviceMesh.parse(c, mesh != null ? mesh : c.hosts() + "x" + c.gpusPerHost());
        IntraOpPlan plan = RematPlanning.plan(graph, m, options(), PlanMethod.parse(method), model.remat());
        out.print(PlanReport.render(plan));
        if (json != null) {
            PlanJson.write(plan, json);
            out.println("plan written to " + json);
        }
        out.flush();
        return 0;
    }

    /** The graph to plan: read from --graph, or the --model's training step (forward, backward, update). */
    Graph trainingGraph() {
        if (graphFile != null) {
            return GraphJson.read(graphFile);
        }
        return DeadCodeElimination.apply(model.trainingStep(model.build(), optimizer.build()));
    }

    /** The --model's training step on {@code batch} samples: the graph of one microbatch. */
    Graph trainingGraph(int batch) {
        return DeadCodeElimination.apply(model.trainingStep(model.build(batch), optimizer.build()));
    }

    PlannerOptions options() {
        if (!(timeLimit > 0)) {
            throw new UserInputException("--time-limit must be positive, got " + timeLimit);
        }
        PlannerOptions o = PlannerOptions.defaults().withZeroComputeCost(zeroComputeCost).withTimeLimitSeconds(timeLimit);
        return memoryBudget != null ? o.withMemoryBudgetGiB(memoryBudget) : o;
    }
}
