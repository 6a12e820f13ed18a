package io.github.alpa4j.engine.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterJson;
import io.github.alpa4j.planner.cluster.CommProfile;
import io.github.alpa4j.planner.cluster.GpuSpec;
import io.github.alpa4j.planner.cluster.Link;
import io.github.alpa4j.planner.cost.Contention;
import io.github.alpa4j.planner.cost.DeviceCost;
import io.github.alpa4j.planner.cost.MatmulRates;
import io.github.alpa4j.planner.cost.OpFamily;
import io.github.alpa4j.planner.cost.Throughput;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a profile measured: matmul rates over a grid, each op family's fit (fixed cost, seconds per
 * byte), how busy devices slow each other, and each collective's fit (α, β) per mesh axes and pooled,
 * on the profiled mesh and any other meshes whose collectives were measured too, with the residual of
 * every fit.
 *
 * @param collectives mesh shape → its fits ({@code all-reduce}, {@code all-reduce@0}, ...)
 * @param dispatch    seconds the engine's runtime adds to every op beyond its kernel (already in every fixed cost of
 *                    {@code families} and {@code ops})
 */
public record MeasuredProfile(String mesh, MatmulRates.Measured matmul, Map<OpFamily, Fit> families, Map<String, Fit> ops,
                              Contention contention, Map<String, Map<String, Fit>> collectives, Fit p2p, double dispatch) {
    public MeasuredProfile {
        families = Map.copyOf(new EnumMap<>(families));
        ops = new LinkedHashMap<>(ops);
        Map<String, Map<String, Fit>> c = new LinkedHashMap<>();
        collectives.forEach((m, f) -> c.put(m, new LinkedHashMap<>(f)));
        collectives = c;
    }

    /** This profile with the collectives of another mesh of the same devices. */
    public MeasuredProfile withCollectives(String otherMesh, Map<String, Fit> fits) {
        Map<String, Map<String, Fit>> all = new LinkedHashMap<>(collectives);
        all.put(otherMesh, fits);
        return new MeasuredProfile(mesh, matmul, families, ops, contention, all, p2p, dispatch);
    }

    /** The fits on the profiled mesh. */
    public Map<String, Fit> ownCollectives() {
        return collectives.getOrDefault(mesh, Map.of());
    }

    /** The device's cost model: these rates for {@code dtype} (f32 too, where the profile measured another type only). */
    public DeviceCost deviceCost(DType dtype, String basis) {
        Map<DType, MatmulRates> rates = new EnumMap<>(DType.class);
        rates.put(DType.F32, matmul);
        rates.put(dtype, matmul);
        Map<OpFamily, Throughput> t = new EnumMap<>(OpFamily.class);
        families.forEach((f, fit) -> t.put(f, throughput(fit)));
        Map<String, Throughput> o = new LinkedHashMap<>();
        ops.forEach((name, fit) -> o.put(name, throughput(fit)));
        return new DeviceCost(rates, t, o, contention, basis);
    }

    private static Throughput throughput(Fit fit) {
        return new Throughput(fit.a(), 1 / fit.b());
    }

    /** The collectives' fits as the planner reads them (null where the mesh has one device). */
    public CommProfile comm() {
        if (collectives.values().stream().allMatch(Map::isEmpty) || p2p == null) {
            return null;
        }
        Map<String, Map<String, Link>> meshes = new LinkedHashMap<>();
        collectives.forEach((m, fits) -> {
            if (!fits.isEmpty()) {
                Map<String, Link> links = new LinkedHashMap<>();
                fits.forEach((k, f) -> links.put(k, link(f)));
                meshes.put(m, links);
            }
        });
        return new CommProfile(meshes, link(p2p));
    }

    private static Link link(Fit f) {
        return new Link(f.a(), f.b());
    }

    /** The fastest measured product, the device's "peak" as far as anyone here knows. */
    public double bestMatmulRate() {
        double best = 0;
        for (double r : matmul.flopsPerSecond()) {
            best = Math.max(best, r);
        }
        return best;
    }

    /**
     * A cluster of {@code perHost} such devices on one host (more than the profile's mesh is fine: the
     * contention says how they slow each other), costed by this profile.
     */
    public Cluster cluster(String name, String device, int perHost, long memoryBytes, DType dtype, String basis) {
        Map<DType, Double> peak = new EnumMap<>(DType.class);
        peak.put(DType.F32, bestMatmulRate());
        peak.put(dtype, bestMatmulRate());
        DeviceCost cost = deviceCost(dtype, basis);
        double bandwidth = cost.throughput(OpFamily.ELEMENTWISE).bytesPerSecond();
        GpuSpec gpu = new GpuSpec(device, peak, memoryBytes, bandwidth, cost);
        CommProfile comm = comm();
        Link intra = comm != null ? comm.link("all-reduce", "01", mesh).orElse(comm.p2p()) : Link.of(1, 1);
        return new Cluster(name, 1, perHost, gpu, intra, intra, comm);
    }

    /** The cluster file of {@code c} with this profile's fits and residuals under {@code profile}. */
    public ObjectNode json(Cluster c, Map<String, Object> about) {
        ObjectNode root = ClusterJson.tree(c);
        ObjectNode p = root.putObject("profile");
        about.forEach((k, v) -> p.put(k, String.valueOf(v)));
        p.put("mesh", mesh);
        p.put("dispatch_us", dispatch * 1e6);
        ObjectNode f = p.putObject("families");
        families.forEach((fam, fit) -> write(f.putObject(fam.code()), fit, "overhead_us", "bandwidth_gb_s"));
        ObjectNode os = p.putObject("ops");
        ops.forEach((name, fit) -> write(os.putObject(name), fit, "overhead_us", "bandwidth_gb_s"));
        ObjectNode k = p.putObject("collectives");
        collectives.forEach((m, fits) -> {
            ObjectNode o = k.putObject(m);
            fits.forEach((key, fit) -> write(o.putObject(key), fit, "latency_us", "bandwidth_gb_s"));
        });
        if (p2p != null) {
            write(p.putObject("p2p"), p2p, "latency_us", "bandwidth_gb_s");
        }
        return root;
    }

    private static void write(ObjectNode n, Fit fit, String fixed, String rate) {
        n.put(fixed, fit.a() * 1e6);
        n.put(rate, 1 / fit.b() / 1e9);
        n.put("residual", fit.residual());
        n.put("points", fit.points());
    }
}
