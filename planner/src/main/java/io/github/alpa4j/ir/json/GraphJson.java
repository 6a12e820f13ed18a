package io.github.alpa4j.ir.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Op;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.Shape;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Graphs as JSON (docs/graph-json.md), so that graphs built elsewhere can be planned. Reading
 * rebuilds the graph through {@link GraphBuilder}, so every node's type is inferred again and checked
 * against the one the file declares.
 */
public final class GraphJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String FORMAT = "alpa4j-graph";
    static final int VERSION = 1;

    private GraphJson() {
    }

    public static void write(Graph g, Path file) throws IOException {
        Files.writeString(file, toJson(g));
    }

    public static String toJson(Graph g) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode nodes = root.putArray("nodes");
        for (Node n : g.nodes()) {
            ObjectNode o = nodes.addObject();
            o.put("id", n.id());
            o.put("name", n.name());
            o.put("phase", n.phase().name().toLowerCase(Locale.ROOT));
            ObjectNode attrs = MAPPER.createObjectNode();
            o.put("op", OpCodec.write(n.op(), attrs));
            ArrayNode in = o.putArray("inputs");
            n.inputs().forEach(in::add);
            o.put("dtype", n.type().dtype().code());
            ArrayNode shape = o.putArray("shape");
            for (int d : n.type().shape().dims()) {
                shape.add(d);
            }
            o.set("attrs", attrs);
        }
        ObjectNode outputs = root.putObject("outputs");
        g.outputs().forEach(outputs::put);
        ArrayNode grads = root.putArray("gradients");
        g.gradients().forEach((p, d) -> grads.addObject().put("parameter", p).put("gradient", d));
        ArrayNode updates = root.putArray("updates");
        g.updates().forEach(u -> updates.addObject().put("variable", u.variable()).put("value", u.value()));
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Graph read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new GraphFormatException("graph file " + file + " does not exist");
        } catch (IOException e) {
            throw new GraphFormatException("cannot read graph file " + file + ": " + e.getMessage());
        }
    }

    /** Parses graph JSON; {@code source} names it in error messages. */
    public static Graph parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new GraphFormatException("graph file " + source + " is not valid JSON ("
                    + (e.getLocation() != null ? "line " + e.getLocation().getLineNr()
                    : e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\s*\\(.*$", "")) + "); see docs/graph-json.md");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || root.path("version").asInt() != VERSION) {
            throw new GraphFormatException("graph file " + source + " is not an " + FORMAT + " version " + VERSION
                    + " file; write one with 'plan --export-graph' (docs/graph-json.md)");
        }
        GraphBuilder b = new GraphBuilder();
        List<Value> values = new ArrayList<>();
        for (JsonNode o : array(root, "nodes", source)) {
            String where = "graph file " + source + ", node " + values.size();
            try {
                if (o.path("id").asInt(-1) != values.size()) {
                    throw new GraphFormatException(where + ": ids must be 0, 1, 2, ... in order");
                }
                TensorType declared = new TensorType(dtype(o.path("dtype").asText(), where), shape(o.path("shape"), where));
                Op op = OpCodec.read(o.path("op").asText(), o.path("attrs"), declared, where);
                List<Value> in = new ArrayList<>();
                for (JsonNode i : o.path("inputs")) {
                    int id = i.asInt(-1);
                    if (!i.isInt() || id < 0 || id >= values.size()) {
                        throw new GraphFormatException(where + ": input " + i + " is not an earlier node");
                    }
                    in.add(values.get(id));
                }
                b.setPhase(phase(o.path("phase").asText(), where));
                Value v = b.apply(op, text(o, "name", where), in.toArray(Value[]::new));
                if (!v.type().equals(declared)) {
                    throw new GraphFormatException(where + ": declared type " + declared + " but the op gives " + v.type());
                }
                values.add(v);
            } catch (IllegalArgumentException e) { // ShapeException included
                throw new GraphFormatException(where + ": " + e.getMessage());
            }
        }
        try {
            for (Map.Entry<String, JsonNode> e : root.path("outputs").properties()) {
                b.output(e.getKey(), node(values, e.getValue(), source));
            }
            for (JsonNode g : root.path("gradients")) {
                b.gradient(node(values, g.path("parameter"), source), node(values, g.path("gradient"), source));
            }
            for (JsonNode u : root.path("updates")) {
                b.update(node(values, u.path("variable"), source), node(values, u.path("value"), source));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new GraphFormatException("graph file " + source + ": " + e.getMessage());
        }
    }

    private static Value node(List<Value> values, JsonNode id, String source) {
        if (!id.isInt() || id.asInt() < 0 || id.asInt() >= values.size()) {
            throw new GraphFormatException("graph file " + source + ": " + id + " is not a node id");
        }
        return values.get(id.asInt());
    }

    private static Iterable<JsonNode> array(JsonNode root, String field, String source) {
        JsonNode a = root.get(field);
        if (a == null || !a.isArray()) {
            throw new GraphFormatException("graph file " + source + ": missing array '" + field + "'");
        }
        return a;
    }

    static String text(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new GraphFormatException(where + ": missing text field '" + field + "'");
        }
        return v.asText();
    }

    private static DType dtype(String code, String where) {
        for (DType t : DType.values()) {
            if (t.code().equals(code)) {
                return t;
            }
        }
        throw new GraphFormatException(where + ": unknown dtype '" + code + "'");
    }

    private static Phase phase(String name, String where) {
        for (Phase p : Phase.values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(name)) {
                return p;
            }
        }
        throw new GraphFormatException(where + ": unknown phase '" + name + "' (forward, backward or update)");
    }

    static Shape shape(JsonNode a, String where) {
        if (!a.isArray()) {
            throw new GraphFormatException(where + ": shape must be an array of sizes");
        }
        int[] d = new int[a.size()];
        for (int i = 0; i < d.length; i++) {
            if (!a.get(i).isInt()) {
                throw new GraphFormatException(where + ": shape " + a + " must hold whole sizes");
            }
            d[i] = a.get(i).asInt();
        }
        return d.length == 0 ? Shape.scalar() : Shape.of(d);
    }
}
