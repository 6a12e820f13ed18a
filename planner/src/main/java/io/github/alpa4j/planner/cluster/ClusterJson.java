package io.github.alpa4j.planner.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cost.DeviceCost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** Reads and writes clusters in the JSON format documented in docs/cluster-json.md. */
public final class ClusterJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final double GIB = 1L << 30;

    private ClusterJson() {
    }

    public static Cluster read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new PlanningException("cluster file " + file + " does not exist; give a preset name or a JSON file");
        } catch (IOException e) {
            throw new PlanningException("cannot read cluster file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses cluster JSON; {@code source} names it in error messages. */
    public static Cluster parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new PlanningException("cluster file " + source + " is not valid JSON ("
                    + (e.getLocation() != null ? "line " + e.getLocation().getLineNr()
                    : e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\s*\\(.*$", "")) + "); see docs/cluster-json.md");
        }
        Fields f = new Fields(source);
        try {
            JsonNode g = f.object(root, "gpu");
            Map<DType, Double> peak = new EnumMap<>(DType.class);
            JsonNode tf = f.object(g, "peak_tflops");
            for (Map.Entry<String, JsonNode> e : tf.properties()) {
                peak.put(dtype(e.getKey(), source), f.positive(tf, e.getKey(), "gpu.peak_tflops.") * 1e12);
            }
            double bandwidth = f.positive(g, "memory_bandwidth_gb_s", "gpu.") * 1e9;
            DeviceCost cost = g.has("cost") ? CostJson.readCost(f.object(g, "cost"))
                    : ClusterPresets.assumedGpuCost(peak, bandwidth);
            GpuSpec gpu = new GpuSpec(f.text(g, "name"), peak, Math.round(f.positive(g, "memory_gib", "gpu.") * GIB), bandwidth, cost);
            CommProfile comm = root.has("collectives") ? CostJson.readComm(f.object(root, "collectives")) : null;
            return new Cluster(f.text(root, "name"), f.count(root, "hosts"), f.count(root, "gpus_per_host"), gpu,
                    link(f, f.object(root, "intra_host"), "intra_host."), link(f, f.object(root, "inter_host"), "inter_host."), comm);
        } catch (IllegalArgumentException | PlanningException e) {
            throw new PlanningException("cluster file " + source + ": " + e.getMessage() + "; see docs/cluster-json.md");
        }
    }

    public static String write(Cluster c) {
        return toJson(tree(c));
    }

    /** The JSON tree of a cluster, for callers that add to it (a profile's measurements). */
    public static ObjectNode tree(Cluster c) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", c.name());
        root.put("hosts", c.hosts());
        root.put("gpus_per_host", c.gpusPerHost());
        ObjectNode g = root.putObject("gpu");
        g.put("name", c.gpu().name());
        ObjectNode tf = g.putObject("peak_tflops");
        new EnumMap<>(c.gpu().peakFlops()).forEach((t, v) -> tf.put(t.code(), v / 1e12));
        g.put("memory_gib", c.gpu().memoryBytes() / GIB);
        g.put("memory_bandwidth_gb_s", c.gpu().memoryBandwidth() / 1e9);
        CostJson.writeCost(g.putObject("cost"), c.gpu().cost());
        CostJson.writeLink(root.putObject("intra_host"), c.intraHost());
        CostJson.writeLink(root.putObject("inter_host"), c.interHost());
        if (c.comm() != null) {
            CostJson.writeComm(root.putObject("collectives"), c.comm());
        }
        return root;
    }

    /** Pretty JSON of a tree. */
    public static String toJson(JsonNode root) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Link link(Fields f, JsonNode n, String prefix) {
        return CostJson.link(n, prefix);
    }

    private static DType dtype(String code, String source) {
        for (DType t : DType.values()) {
            if (t.code().equals(code.toLowerCase(Locale.ROOT)) && t.isFloating()) {
                return t;
            }
        }
        throw new PlanningException("cluster file " + source + ": unknown dtype '" + code
                + "' in gpu.peak_tflops (use f32, bf16 or f16)");
    }

    /** Field access that names the missing or malformed field. */
    private record Fields(String source) {
        JsonNode object(JsonNode n, String name) {
            JsonNode v = n.get(name);
            if (v == null || !v.isObject()) {
                throw new IllegalArgumentException("missing object '" + name + "'");
            }
            return v;
        }

        String text(JsonNode n, String name) {
            JsonNode v = n.get(name);
            if (v == null || !v.isTextual()) {
                throw new IllegalArgumentException("missing text field '" + name + "'");
            }
            return v.asText();
        }

        double number(JsonNode n, String name, String prefix) {
            JsonNode v = n.get(name);
            if (v == null || !v.isNumber()) {
                throw new IllegalArgumentException("missing number '" + prefix + name + "'");
            }
            return v.asDouble();
        }

        int count(JsonNode n, String name) {
            JsonNode v = n.get(name);
            if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                throw new IllegalArgumentException("'" + name + "' must be a whole number >= 1");
            }
            return v.asInt();
        }

        double positive(JsonNode n, String name, String prefix) {
            double d = number(n, name, prefix);
            if (!(d > 0)) {
                throw new IllegalArgumentException("'" + prefix + name + "' must be positive");
            }
            return d;
        }
    }
}
