package io.github.alpa4j.energy.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.OutputFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The GPU file of docs/energy-model.md: a {@link GpuSpec} as JSON, which {@code energy calibrate}
 * writes and {@code energy frontier --model --gpu}, {@code energy check-model --gpu} and
 * {@code energy calibrate --gpu} read. Anything beside {@code name}, {@code basis},
 * {@code datasheet} and {@code power_curve} (such as the {@code calibration} record calibrate
 * leaves) is kept for people and ignored here.
 */
public final class GpuSpecJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private GpuSpecJson() {
    }

    /** A preset's short name ({@link GpuSpec#PRESETS}) or a GPU file ending in {@code .json}. */
    public static GpuSpec resolve(String presetOrFile) {
        return GpuSpec.preset(presetOrFile).orElseGet(() -> {
            if (!presetOrFile.endsWith(".json")) {
                throw new EnergyInputException("unknown GPU '" + presetOrFile + "'; use one of " + GpuSpec.PRESETS
                        + " or a GPU file ending in .json (docs/energy-model.md)");
            }
            return read(Path.of(presetOrFile));
        });
    }

    public static GpuSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new EnergyInputException("GPU file " + file + " does not exist");
        } catch (IOException e) {
            throw new EnergyInputException("cannot read GPU file " + file + ": " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Parses a GPU file; {@code source} names it in error messages. */
    public static GpuSpec parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new EnergyInputException("GPU file " + source + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + "); see docs/energy-model.md");
        }
        try {
            JsonNode d = object(root, "datasheet");
            JsonNode p = object(root, "power_curve");
            GpuDatasheet datasheet = new GpuDatasheet(text(root, "name"), number(d, "datasheet.peak_tflops") * 1e12,
                    number(d, "datasheet.memory_bandwidth_gb_s") * 1e9, whole(d, "datasheet.min_clock_mhz"),
                    whole(d, "datasheet.max_clock_mhz"), whole(d, "datasheet.clock_step_mhz"),
                    number(d, "datasheet.power_limit_w"), number(d, "datasheet.static_w"));
            PowerCurve power = new PowerCurve(number(p, "power_curve.sm_dynamic_w"), number(p, "power_curve.memory_w"),
                    number(p, "power_curve.knee_clock_mhz"), number(p, "power_curve.knee_voltage"),
                    number(p, "power_curve.cap_w"));
            return new GpuSpec(datasheet, power, text(root, "basis"));
        } catch (IllegalArgumentException e) {
            throw new EnergyInputException("GPU file " + source + ": " + e.getMessage() + "; see docs/energy-model.md");
        }
    }

    /** The GPU as a JSON object, to which a caller may add more before writing. */
    public static ObjectNode tree(GpuSpec gpu) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", gpu.name());
        root.put("basis", gpu.basis());
        GpuDatasheet d = gpu.datasheet();
        ObjectNode ds = root.putObject("datasheet");
        ds.put("peak_tflops", d.peakFlopsPerSecond() / 1e12);
        ds.put("memory_bandwidth_gb_s", d.memoryBandwidthBytesPerSecond() / 1e9);
        ds.put("min_clock_mhz", d.minClockMhz());
        ds.put("max_clock_mhz", d.maxClockMhz());
        ds.put("clock_step_mhz", d.clockStepMhz());
        ds.put("power_limit_w", d.powerLimitWatts());
        ds.put("static_w", d.staticWatts());
        PowerCurve p = gpu.power();
        ObjectNode pc = root.putObject("power_curve");
        pc.put("sm_dynamic_w", p.smDynamicWatts());
        pc.put("memory_w", p.memoryWatts());
        pc.put("knee_clock_mhz", p.kneeClockMhz());
        pc.put("knee_voltage", p.kneeVoltage());
        pc.put("cap_w", p.capWatts());
        return root;
    }

    /** Writes {@code root} whole or not at all. */
    public static void write(Path file, ObjectNode root) {
        try {
            OutputFile.write(file, MAPPER.writeValueAsString(root) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode object(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("missing object '" + name + "'");
        }
        return v;
    }

    private static String text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing text field '" + name + "'");
        }
        return v.asText();
    }

    private static double number(JsonNode n, String path) {
        JsonNode v = n.get(path.substring(path.indexOf('.') + 1));
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("missing number '" + path + "'");
        }
        return v.asDouble();
    }

    private static int whole(JsonNode n, String path) {
        double d = number(n, path);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + path + "' must be a whole number of MHz");
        }
        return (int) d;
    }
}
