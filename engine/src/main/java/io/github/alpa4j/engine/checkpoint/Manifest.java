package io.github.alpa4j.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint's {@code manifest.json} (docs/checkpoint.md): the step, the run's flags, per device its
 * shard file (length, CRC-32C) and where each block lies in it, and the metrics of every step so far.
 * Written last: a step directory without it is an incomplete checkpoint and is never loaded.
 */
record Manifest(long step, Map<String, Object> run, List<DeviceFile> devices, List<StepMetrics> history, String planFile) {
    static final String FORMAT = "alpa4j-checkpoint/1";
    static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One device's file and the blocks it holds, in order. */
    record DeviceFile(String file, ShardFile.Written written, List<VariableShard> blocks) {
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("step", step);
        m.put("data_position", step);
        m.put("run", new TreeMap<>(run));
        if (planFile != null) {
            m.put("plan", planFile);
        }
        List<Object> devs = new ArrayList<>();
        for (DeviceFile d : devices) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", d.file());
            f.put("bytes", d.written().bytes());
            f.put("crc32c", String.format(Locale.ROOT, "%08x", d.written().crc32c()));
            List<Object> blocks = new ArrayList<>();
            long offset = 0;
            for (VariableShard v : d.blocks()) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("name", v.name());
                b.put("stage", v.stage());
                b.put("dtype", v.global().dtype().code());
                b.put("global", v.global().shape().dims());
                b.put("local", v.local().shape().dims());
                b.put("spec", v.spec().toString());
                b.put("mesh", List.of(v.mesh().rows(), v.mesh().cols()));
                b.put("mesh_device", v.meshDevice());
                b.put("offset", offset);
                offset += v.local().size() * ShardFile.ELEMENT_BYTES;
                blocks.add(b);
            }
            f.put("blocks", blocks);
            devs.add(f);
        }
        m.put("devices", devs);
        List<Object> steps = new ArrayList<>();
        for (StepMetrics s : history) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("step", s.step());
            e.put("loss", s.loss());
            e.put("seconds", s.seconds());
            e.put("tokens_per_s", s.tokensPerSecond());
            e.put("collective_bytes", new TreeMap<>(s.collectiveBytes()));
            e.put("peak_bytes_by_device", s.peakBytesPerDevice());
            if (s.lossScaled()) {
                e.put("loss_scale", s.lossScale());
                e.put("skipped", s.skipped());
            }
            steps.add(e);
        }
        m.put("history", steps);
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render a checkpoint manifest", e);
        }
    }

    /**
     * Reads a manifest.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Manifest parse(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (m == null || !FORMAT.equals(m.path("format").asText())) {
            throw new IllegalArgumentException("not an " + FORMAT + " manifest");
        }
        Map<String, Object> run = new LinkedHashMap<>();
        m.path("run").fields().forEachRemaining(e -> run.put(e.getKey(), scalar(e.getValue())));
        List<DeviceFile> devices = new ArrayList<>();
        for (JsonNode d : required(m, "devices")) {
            List<VariableShard> blocks = new ArrayList<>();
            for (JsonNode b : required(d, "blocks")) {
                TensorType global = new TensorType(DType.valueOf(required(b, "dtype").asText().toUpperCase(Locale.ROOT)), Shape.of(ints(required(b, "global"))));
                JsonNode mesh = required(b, "mesh");
                blocks.add(new VariableShard(required(b, "name").asText(), required(b, "stage").asInt(), global,
                        ShardingSpec.parse(required(b, "spec").asText()), new MeshGroups(mesh.get(0).asInt(), mesh.get(1).asInt()),
                        required(b, "mesh_device").asInt()));
            }
            devices.add(new DeviceFile(required(d, "file").asText(),
                    new ShardFile.Written(required(d, "bytes").asLong(), Long.parseLong(required(d, "crc32c").asText(), 16)), blocks));
        }
        List<StepMetrics> history = new ArrayList<>();
        for (JsonNode s : required(m, "history")) {
            Map<String, Long> bytes = new TreeMap<>();
            s.path("collective_bytes").fields().forEachRemaining(e -> bytes.put(e.getKey(), e.getValue().asLong()));
            long[] peak = new long[s.path("peak_bytes_by_device").size()];
            for (int i = 0; i < peak.length; i++) {
                peak[i] = s.path("peak_bytes_by_device").get(i).asLong();
            }
            history.add(new StepMetrics(required(s, "step").asLong(), required(s, "loss").asDouble(), s.path("seconds").asDouble(),
                    s.path("tokens_per_s").asDouble(), bytes, peak, s.has("loss_scale") ? s.get("loss_scale").asDouble() : Double.NaN,
                    s.path("skipped").asBoolean(false)));
        }
        String plan = m.hasNonNull("plan") ? m.get("plan").asText() : null;
        return new Manifest(required(m, "step").asLong(), run, devices, history, plan);
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return v;
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    private static Object scalar(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return v.asText();
    }
}
