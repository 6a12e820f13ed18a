package io.github.alpa4j.planner.stage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.plan.PlanJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a pipeline plan in the JSON format of docs/pipeline-json.md. Times in seconds, sizes in bytes. */
public final class PipelineJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PipelineJson() {
    }

    public static void write(PipelinePlan plan, Path file) {
        try {
            Files.writeString(file, toJson(plan));
        } catch (IOException e) {
            throw new PlanningException("cannot write plan to " + file + ": " + e.getMessage());
        }
    }

    public static String toJson(PipelinePlan plan) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree(plan));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode tree(PipelinePlan plan) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "alpa4j-pipeline-plan");
        root.put("version", 1);
        root.put("method", plan.method());
        root.put("cluster", plan.cluster().toString());
        root.put("microbatches", plan.microbatches());
        root.put("schedule", plan.schedule().cliName());
        root.put("pipeline_seconds", plan.pipelineSeconds());
        root.put("update_seconds", plan.updateSeconds());
        root.put("iteration_seconds", plan.iterationSeconds());
        root.put("tflops_per_device", plan.tflopsPerDevice());
        root.put("memory_budget_bytes", plan.memoryBudgetBytes());
        root.put("fits", plan.fits());
        root.put("layer_count", plan.layering().layerCount());
        ArrayNode layers = root.putArray("node_layers");
        for (int v = 0; v < plan.graph().size(); v++) {
            layers.add(plan.layering().layer(v));
        }
        plan.stats().ifPresent(st -> {
            ObjectNode o = root.putObject("planning");
            o.put("layers", st.layers());
            o.put("layer_types", st.layerTypes());
            o.put("logical_meshes", st.logicalMeshes());
            o.put("layer_ilps", st.layerIlps());
            o.put("stage_ilps", st.stageIlps());
            o.put("dp_runs", st.dpRuns());
            o.put("cluster_seconds", st.clusterSeconds());
            o.put("profile_seconds", st.profileSeconds());
            o.put("dp_seconds", st.dpSeconds());
            o.put("refine_seconds", st.refineSeconds());
            o.put("total_seconds", st.totalSeconds());
            o.put("microbatch_counts", st.microbatchCounts());
            ObjectNode phases = o.putObject("phase_seconds");
            st.phases().forEach(p -> phases.put(p.name(), p.seconds()));
        });
        ArrayNode stages = root.putArray("stages");
        for (PipelineStage s : plan.stages()) {
            ObjectNode o = stages.addObject();
            o.put("index", s.index());
            o.put("first_layer", s.firstLayer());
            o.put("last_layer", s.lastLayer());
            o.putArray("submesh").add(s.submesh().hosts()).add(s.submesh().gpus());
            o.put("forward_seconds", s.cost().forwardSeconds());
            o.put("backward_seconds", s.cost().backwardSeconds());
            o.put("microbatch_seconds", s.microbatchSeconds());
            o.put("update_seconds", s.cost().updateSeconds());
            o.put("inflight", s.inflight());
            o.put("memory_bytes", s.memoryBytes());
            o.put("peak_bytes", s.cost().peakBytes());
            o.put("activation_bytes", s.cost().activationBytes());
            ArrayNode original = o.putArray("original_nodes");
            for (int i = 0; i < s.graph().graph().size(); i++) {
                original.add(s.graph().original(i));
            }
            ArrayNode received = o.putArray("received");
            s.graph().received().forEach(received::add);
            ArrayNode sent = o.putArray("sent");
            s.graph().sent().forEach(sent::add);
            o.set("plan", PlanJson.tree(s.plan()));
        }
        ArrayNode transfers = root.putArray("transfers");
        for (StageTransfer t : plan.transfers()) {
            ObjectNode o = transfers.addObject();
            o.put("value", t.value());
            o.put("name", plan.graph().node(t.value()).name());
            o.put("from_stage", t.fromStage());
            o.put("to_stage", t.toStage());
            o.put("phase", t.phase().name().toLowerCase(Locale.ROOT));
            o.put("bytes", t.bytes());
        }
        return root;
    }
}
