package io.github.alpa4j.planner.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.cost.AlphaBetaModel;
import io.github.alpa4j.planner.sharding.Collective;
import io.github.alpa4j.planner.sharding.MeshAxes;
import io.github.alpa4j.planner.sharding.ReshardStep;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a plan in the JSON format documented in docs/plan-json.md. Times in seconds, sizes in bytes. */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanJson() {
    }

    public static void write(IntraOpPlan plan, Path file) {
        try {
            Files.writeString(file, toJson(plan));
        } catch (IOException e) {
            throw new PlanningException("cannot write plan to " + file + ": " + e.getMessage());
        }
    }

    public static String toJson(IntraOpPlan plan) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree(plan));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(IntraOpPlan plan) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "alpa4j-plan");
        root.put("version", 1);
        root.put("method", plan.method());
        root.put("status", plan.status().name());
        root.put("objective", plan.objective());
        root.put("iteration_time", plan.iterationTime());
        root.put("compute_time", plan.computeTime());
        root.put("communication_time", plan.communicationTime());
        root.put("peak_memory_bytes", plan.peakMemoryBytes());
        root.put("working_memory_bytes", plan.workingMemoryBytes());
        mesh(root.putObject("mesh"), plan.mesh());
        options(root.putObject("options"), plan.space().options());
        plan.ilp().ifPresent(i -> {
            ObjectNode o = root.putObject("ilp");
            o.put("graph_nodes", i.graphNodes());
            o.put("strategies", i.strategies());
            o.put("groups", i.groups());
            o.put("variables", i.variables());
            o.put("edges", i.edges());
            o.put("reduced_variables", i.reducedVariables());
            o.put("reduced_edges", i.reducedEdges());
            o.put("bool_vars", i.boolVars());
            o.put("constraints", i.constraints());
            o.put("build_seconds", i.buildSeconds());
            o.put("solve_seconds", i.solveSeconds());
        });
        AlphaBetaModel model = new AlphaBetaModel(plan.mesh());
        ArrayNode nodes = root.putArray("nodes");
        for (Node n : plan.graph().nodes()) {
            ShardingStrategy s = plan.strategy(n.id());
            ObjectNode o = nodes.addObject();
            o.put("id", n.id());
            o.put("name", n.name());
            o.put("op", n.op().opName());
            o.put("phase", n.phase().name().toLowerCase(Locale.ROOT));
            o.put("dtype", n.type().dtype().code());
            ArrayNode shape = o.putArray("shape");
            for (int d : n.type().shape().dims()) {
                shape.add(d);
            }
            o.put("strategy", s.name());
            ArrayNode in = o.putArray("input_specs");
            for (ShardingSpec spec : s.inputSpecs()) {
                in.add(spec.toString());
            }
            o.put("result_spec", s.resultSpec().toString());
            o.put("output_spec", s.outputSpec().toString());
            ArrayNode cs = o.putArray("collectives");
            for (Collective c : s.collectives()) {
                step(cs.addObject(), c, model);
            }
            o.put("compute_cost", s.computeCost());
            o.put("communication_cost", s.communicationCost());
            o.put("memory_bytes", s.memoryBytes());
        }
        ArrayNode edges = root.putArray("reshardings");
        for (EdgeResharding e : plan.reshardings()) {
            ObjectNode o = edges.addObject();
            o.put("producer", e.producer());
            o.put("consumer", e.consumer());
            o.put("input", e.input());
            o.put("from", e.resharding().from().toString());
            o.put("to", e.resharding().to().toString());
            ArrayNode steps = o.putArray("steps");
            for (ReshardStep s : e.resharding().steps()) {
                step(steps.addObject(), s, model);
            }
            o.put("cost", e.resharding().cost());
        }
        ArrayNode all = root.putArray("collectives");
        for (PlannedCollective c : plan.collectives()) {
            ObjectNode o = all.addObject();
            o.put("node", c.node());
            if (c.isResharding()) {
                o.put("producer", c.producer());
            }
            o.put("phase", c.phase().name().toLowerCase(Locale.ROOT));
            step(o, c.collective(), model);
        }
        return root;
    }

    private static void mesh(ObjectNode o, DeviceMesh m) {
        o.putArray("shape").add(m.rows()).add(m.cols());
        ArrayNode d = o.putArray("devices");
        m.devices().forEach(d::add);
        ArrayNode links = o.putArray("axes");
        for (int a = 0; a < 2; a++) {
            links.addObject().put("size", m.size(a)).put("alpha", m.link(a).alpha()).put("beta", m.link(a).beta());
        }
        o.put("gpu", m.gpu().name());
    }

    private static void options(ObjectNode o, PlannerOptions p) {
        o.put("zero_compute_cost", p.zeroComputeCost());
        o.put("reduce_scatter", p.reduceScatter());
        o.put("follower_merging", p.followerMerging());
        o.put("tie_repeated_layers", p.tieRepeatedLayers());
        o.put("eliminate", p.eliminate());
        if (p.memoryBudgetBytes().isPresent()) {
            o.put("memory_budget_bytes", p.memoryBudgetBytes().getAsLong());
        } else {
            o.putNull("memory_budget_bytes");
        }
        o.put("time_limit_seconds", p.timeLimitSeconds());
        o.put("iteration_weight", p.iterationWeight());
    }

    private static void step(ObjectNode o, ReshardStep s, AlphaBetaModel model) {
        switch (s) {
            case ReshardStep.Slice sl -> {
                o.put("kind", "slice");
                axes(o, sl.axes());
                o.put("dim", sl.dim());
                o.put("bytes", 0);
                o.put("cost", 0.0);
            }
            case Collective c -> {
                o.put("kind", c.kind());
                axes(o, c.axes());
                switch (c) {
                    case Collective.AllReduce r -> o.put("reduce", r.op().name().toLowerCase(Locale.ROOT));
                    case Collective.AllGather g -> o.put("dim", g.dim());
                    case Collective.ReduceScatter r -> o.put("dim", r.dim());
                    case Collective.AllToAll a -> o.put("from_dim", a.fromDim()).put("to_dim", a.toDim());
                }
                o.put("bytes", c.bytes());
                o.put("cost", model.cost(c));
            }
        }
    }

    private static void axes(ObjectNode o, MeshAxes axes) {
        ArrayNode a = o.putArray("axes");
        for (int i = 0; i < 2; i++) {
            if (axes.contains(i)) {
                a.add(i);
            }
        }
    }
}
