package io.github.alpa4j.planner.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads back a plan written by {@link PlanJson} for a given graph and mesh. A plan names a strategy
 * per node; it is refused, with a one-line reason, when it was made for another mesh shape or
 * another graph (node count, names, ops, shapes), so a plan can never be applied where its
 * shards would not fit.
 */
public final class PlanReader {
    private PlanReader() {
    }

    public static IntraOpPlan read(Path file, Graph graph, DeviceMesh mesh, PlannerOptions options) {
        JsonNode root = tree(file);
        if (root == null || !"alpa4j-plan".equals(root.path("format").asText()) || root.path("version").asInt() != 1) {
            throw new PlanningException(file + " is not an alpa4j-plan version 1 file; write one with 'plan --json'");
        }
        JsonNode shape = root.path("mesh").path("shape");
        int rows = shape.path(0).asInt();
        int cols = shape.path(1).asInt();
        if (rows != mesh.rows() || cols != mesh.cols()) {
            throw new PlanningException("plan " + file + " was made for mesh " + rows + "x" + cols + ", not " + mesh
                    + "; plan again for this mesh or pass --mesh " + rows + "x" + cols);
        }
        JsonNode nodes = root.path("nodes");
        if (nodes.size() != graph.size()) {
            throw new PlanningException("plan " + file + " was made for another model: it has " + nodes.size()
                    + " nodes, this training step has " + graph.size() + "; plan again with the same model flags");
        }
        // the strategies' costs follow the cost conventions the plan was made under
        JsonNode o0 = root.path("options");
        PlannerOptions made = options.withZeroComputeCost(o0.path("zero_compute_cost").asBoolean(options.zeroComputeCost()))
                .withReduceScatter(o0.path("reduce_scatter").asBoolean(options.reduceScatter()));
        StrategySpace space = StrategySpace.enumerate(graph, mesh, made);
        int[] choice = new int[graph.size()];
        for (Node n : graph.nodes()) {
            JsonNode o = nodes.path(n.id());
            String here = n.name() + " " + n.op().opName() + " " + n.type().dtype().code() + shape(n);
            String there = o.path("name").asText() + " " + o.path("op").asText() + " " + o.path("dtype").asText() + o.path("shape");
            if (!here.replace(" ", "").equals(there.replace(" ", ""))) {
                throw new PlanningException("plan " + file + " was made for another model: node %" + n.id() + " is '"
                        + there + "' there but '" + here + "' here; plan again with the same model flags");
            }
            choice[n.id()] = find(space.of(n.id()), o, file, n);
        }
        PlanStatus status;
        try {
            status = PlanStatus.valueOf(root.path("status").asText());
        } catch (IllegalArgumentException e) {
            throw new PlanningException("plan " + file + ": status '" + root.path("status").asText() + "' is not one of "
                    + java.util.Arrays.toString(PlanStatus.values()));
        }
        return IntraOpPlan.of(root.path("method").asText(), status, space, choice, Optional.empty());
    }

    /** The mesh shape a plan file was made for, as "ROWSxCOLS". */
    public static String meshShape(Path file) {
        JsonNode shape = tree(file).path("mesh").path("shape");
        return shape.path(0).asInt() + "x" + shape.path(1).asInt();
    }

    /** The plan file's JSON, or a one-line refusal: no such file, unreadable, or not JSON (where it breaks). */
    private static JsonNode tree(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(file));
            if (root == null) {
                throw new PlanningException("plan " + file + " is empty; write one with 'plan --json'");
            }
            return root;
        } catch (NoSuchFileException e) {
            throw new PlanningException("cannot read plan " + file + ": no such file");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new PlanningException("plan " + file + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr()
                    + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\s*\\(start marker.*$", ""));
        } catch (IOException e) {
            throw new PlanningException("cannot read plan " + file + ": " + e.getMessage());
        }
    }

    private static String shape(Node n) {
        List<Integer> d = new ArrayList<>();
        for (int x : n.type().shape().dims()) {
            d.add(x);
        }
        return d.toString().replace(" ", "");
    }

    private static int find(List<ShardingStrategy> own, JsonNode o, Path file, Node n) {
        String result = o.path("result_spec").asText();
        String output = o.path("output_spec").asText();
        String name = o.path("strategy").asText();
        for (int i = 0; i < own.size(); i++) {
            ShardingStrategy s = own.get(i);
            if (s.name().equals(name) && s.resultSpec().toString().equals(result) && s.outputSpec().toString().equals(output)) {
                return i;
            }
        }
        throw new PlanningException("plan " + file + " gives node " + n.name() + " the strategy '" + name
                + "', which it cannot take on this mesh; plan again");
    }
}
