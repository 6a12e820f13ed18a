package io.github.alpa4j.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Losses of a {@link GptRun} on the CPU backend, stored as a test resource where computing them at
 * test time costs too much (the 12-layer GPT takes about half an hour on two cores). The fingerprint
 * ties them to the exact training step and data they came from.
 */
record ReferenceLosses(String run, String fingerprint, List<Double> losses, String machine) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String resource(GptRun r) {
        return r.name() + "-cpu-losses.json";
    }

    /** The stored losses of {@code r}, if any (stale or not: compare {@link #fingerprint}). */
    static Optional<ReferenceLosses> stored(GptRun r) {
        try (InputStream in = ReferenceLosses.class.getResourceAsStream(resource(r))) {
            if (in == null) {
                return Optional.empty();
            }
            JsonNode n = JSON.readTree(in);
            List<Double> losses = new ArrayList<>();
            n.get("losses").forEach(x -> losses.add(x.asDouble()));
            return Optional.of(new ReferenceLosses(n.get("run").asText(), n.get("fingerprint").asText(), losses,
                    n.path("machine").asText("")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void write(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("run", run);
        n.put("fingerprint", fingerprint);
        n.put("machine", machine);
        losses.forEach(n.putArray("losses")::add);
        Files.createDirectories(file.getParent());
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
    }
}
