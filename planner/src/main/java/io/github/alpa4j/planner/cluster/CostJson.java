package io.github.alpa4j.planner.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cost.Contention;
import io.github.alpa4j.planner.cost.DeviceCost;
import io.github.alpa4j.planner.cost.MatmulRates;
import io.github.alpa4j.planner.cost.OpFamily;
import io.github.alpa4j.planner.cost.Throughput;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cost sections of a cluster file (docs/cluster-json.md): {@code gpu.cost} (matmul rates per
 * element type, a curve or a measured grid; each op family's fixed cost and bandwidth) and
 * {@code collectives} (measured α and β per kind and mesh axes). Errors are {@link IllegalArgumentException}s
 * naming the field; the caller adds the file.
 */
final class CostJson {
    private CostJson() {
    }

    static DeviceCost readCost(JsonNode n) {
        String basis = n.path("basis").asText("");
        if (basis.isEmpty()) {
            throw new IllegalArgumentException("gpu.cost.basis must say where the numbers come from");
        }
        Map<DType, MatmulRates> matmul = new EnumMap<>(DType.class);
        JsonNode mm = object(n, "matmul", "gpu.cost.");
        for (Map.Entry<String, JsonNode> e : mm.properties()) {
            matmul.put(dtype(e.getKey()), rates(e.getValue(), "gpu.cost.matmul." + e.getKey() + "."));
        }
        Map<OpFamily, Throughput> families = new EnumMap<>(OpFamily.class);
        JsonNode fs = object(n, "families", "gpu.cost.");
        for (Map.Entry<String, JsonNode> e : fs.properties()) {
            OpFamily f = OpFamily.parse(e.getKey());
            String p = "gpu.cost.families." + e.getKey() + ".";
            families.put(f, new Throughput(number(e.getValue(), "overhead_us", p) * 1e-6, number(e.getValue(), "bandwidth_gb_s", p) * 1e9));
        }
        Contention contention = null;
        if (n.has("contention")) {
            JsonNode c = object(n, "contention", "gpu.cost.");
            double[] busy = doubles(c, "busy", "gpu.cost.contention.");
            int[] b = new int[busy.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (int) busy[i];
            }
            contention = new Contention((int) number(c, "profiled", "gpu.cost.contention."), b, doubles(c, "compute", "gpu.cost.contention."),
                    doubles(c, "memory", "gpu.cost.contention."));
        }
        Map<String, Throughput> ops = new TreeMap<>();
        if (n.has("ops")) {
            for (Map.Entry<String, JsonNode> e : object(n, "ops", "gpu.cost.").properties()) {
                String p = "gpu.cost.ops." + e.getKey() + ".";
                ops.put(e.getKey(), new Throughput(number(e.getValue(), "overhead_us", p) * 1e-6, number(e.getValue(), "bandwidth_gb_s", p) * 1e9));
            }
        }
        return new DeviceCost(matmul, families, ops, contention, basis);
    }

    private static MatmulRates rates(JsonNode n, String p) {
        if (n.has("grid")) {
            JsonNode g = n.get("grid");
            double[] tflops = doubles(g, "tflops", p + "grid.");
            double[] rates = new double[tflops.length];
            for (int i = 0; i < rates.length; i++) {
                rates[i] = tflops[i] * 1e12;
            }
            return new MatmulRates.Measured(ints(g, "m", p), ints(g, "n", p), ints(g, "k", p), ints(g, "batch", p), rates);
        }
        return new MatmulRates.Saturating(number(n, "peak_tflops", p) * 1e12, number(n, "efficiency", p),
                number(n, "half_work_gflop", p) * 1e9);
    }

    static void writeCost(ObjectNode n, DeviceCost c) {
        n.put("basis", c.basis());
        ObjectNode mm = n.putObject("matmul");
        new TreeMap<>(c.matmul()).forEach((t, r) -> {
            ObjectNode o = mm.putObject(t.code());
            switch (r) {
                case MatmulRates.Saturating s -> {
                    o.put("peak_tflops", s.peak() / 1e12);
                    o.put("efficiency", s.maxEfficiency());
                    o.put("half_work_gflop", s.halfWorkFlops() / 1e9);
                }
                case MatmulRates.Scaled sc -> throw new IllegalArgumentException("rates scaled for busy devices are not written: write the profile's own");
                case MatmulRates.Measured m -> {
                    ObjectNode g = o.putObject("grid");
                    putInts(g.putArray("m"), m.m());
                    putInts(g.putArray("n"), m.n());
                    putInts(g.putArray("k"), m.k());
                    putInts(g.putArray("batch"), m.batch());
                    ArrayNode tf = g.putArray("tflops");
                    for (double v : m.flopsPerSecond()) {
                        tf.add(v / 1e12);
                    }
                }
            }
        });
        ObjectNode fs = n.putObject("families");
        for (OpFamily f : OpFamily.values()) {
            Throughput t = c.throughput(f);
            fs.putObject(f.code()).put("overhead_us", t.overheadSeconds() * 1e6).put("bandwidth_gb_s", t.bytesPerSecond() / 1e9);
        }
        if (!c.ops().isEmpty()) {
            ObjectNode os = n.putObject("ops");
            new TreeMap<>(c.ops()).forEach((name, t) -> os.putObject(name).put("overhead_us", t.overheadSeconds() * 1e6)
                    .put("bandwidth_gb_s", t.bytesPerSecond() / 1e9));
        }
        if (c.contention() != null) {
            ObjectNode k = n.putObject("contention");
            k.put("profiled", c.contention().profiled());
            putInts(k.putArray("busy"), c.contention().busy());
            ArrayNode comp = k.putArray("compute");
            for (double v : c.contention().compute()) {
                comp.add(v);
            }
            ArrayNode mem = k.putArray("memory");
            for (double v : c.contention().memory()) {
                mem.add(v);
            }
        }
    }

    static CommProfile readComm(JsonNode n) {
        Map<String, Map<String, Link>> meshes = new LinkedHashMap<>();
        JsonNode ms = object(n, "meshes", "collectives.");
        for (Map.Entry<String, JsonNode> m : ms.properties()) {
            if (!m.getKey().matches("\\d+x\\d+")) {
                throw new IllegalArgumentException("collectives.meshes: '" + m.getKey() + "' is not a mesh shape such as 2x2");
            }
            Map<String, Link> fits = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : m.getValue().properties()) {
                fits.put(e.getKey(), link(e.getValue(), "collectives.meshes." + m.getKey() + "." + e.getKey() + "."));
            }
            meshes.put(m.getKey(), fits);
        }
        if (meshes.isEmpty()) {
            throw new IllegalArgumentException("collectives.meshes must hold at least one measured mesh");
        }
        return new CommProfile(meshes, link(object(n, "p2p", "collectives."), "collectives.p2p."));
    }

    static void writeComm(ObjectNode n, CommProfile c) {
        ObjectNode ms = n.putObject("meshes");
        c.meshes().forEach((mesh, fits) -> {
            ObjectNode f = ms.putObject(mesh);
            new TreeMap<>(fits).forEach((k, l) -> writeLink(f.putObject(k), l));
        });
        writeLink(n.putObject("p2p"), c.p2p());
    }

    static void writeLink(ObjectNode n, Link l) {
        n.put("latency_us", l.latencyMicros());
        n.put("bandwidth_gb_s", l.bandwidthGBps());
    }

    static Link link(JsonNode n, String prefix) {
        double latency = number(n, "latency_us", prefix);
        if (latency < 0) {
            throw new IllegalArgumentException(prefix + "latency_us must not be negative");
        }
        double bw = number(n, "bandwidth_gb_s", prefix);
        if (!(bw > 0)) {
            throw new IllegalArgumentException(prefix + "bandwidth_gb_s must be positive");
        }
        return Link.of(latency, bw);
    }

    static DType dtype(String code) {
        for (DType t : DType.values()) {
            if (t.code().equals(code.toLowerCase(Locale.ROOT)) && t.isFloating()) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + code + "' (use f32, bf16 or f16)");
    }

    static JsonNode object(JsonNode n, String name, String prefix) {
        JsonNode v = n.get(name);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("missing object '" + prefix + name + "'");
        }
        return v;
    }

    static double number(JsonNode n, String name, String prefix) {
        JsonNode v = n.get(name);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException("missing number '" + prefix + name + "'");
        }
        return v.asDouble();
    }

    private static double[] doubles(JsonNode n, String name, String prefix) {
        JsonNode v = n.get(name);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new IllegalArgumentException("missing array '" + prefix + name + "'");
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException("'" + prefix + name + "' must hold numbers");
            }
            out[i] = v.get(i).asDouble();
        }
        return out;
    }

    private static int[] ints(JsonNode n, String name, String prefix) {
        double[] d = doubles(n, name, prefix);
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || d[i] < 1 || d[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'" + prefix + name + "' must hold whole sizes >= 1");
            }
            out[i] = (int) d[i];
        }
        return out;
    }

    private static void putInts(ArrayNode a, int[] v) {
        for (int x : v) {
            a.add(x);
        }
    }
}
