package io.github.alpa4j.planner.cluster;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.PlanningException;
import java.util.List;
import java.util.Map;

/**
 * Built-in clusters. GPU rates are dense peak tensor FLOP/s (H100 at the measured 790 TFLOP/s bf16 of
 * REFERENCES §4); link bandwidths are NCCL bus bandwidths, latencies typical NCCL step latencies.
 */
public final class ClusterPresets {
    private static final long GIB = 1L << 30;

    /** Alpa's testbed: 8 x V100-SXM2-16GB with NVLink per host, 25 Gbps between hosts (REFERENCES §2). */
    static final Cluster P3_16XLARGE = new Cluster("p3.16xlarge", 1, 8,
            new GpuSpec("V100-SXM2-16GB", Map.of(DType.F32, 15.7e12, DType.F16, 125e12), 16 * GIB, 900e9),
            Link.of(5, 130), Link.of(50, 25.0 / 8));

    /** DGX A100: 8 x A100-SXM4-80GB, NVLink 3, 8 x 200 Gb/s HDR InfiniBand per host. */
    static final Cluster DGX_A100 = new Cluster("dgx-a100", 1, 8,
            new GpuSpec("A100-SXM4-80GB", Map.of(DType.F32, 19.5e12, DType.BF16, 312e12, DType.F16, 312e12),
                    80 * GIB, 2039e9),
            Link.of(5, 230), Link.of(10, 25));

    /** HGX H100: 8 x H100-SXM5-80GB, NVLink 4, 8 x 400 Gb/s NDR InfiniBand per host. */
    static final Cluster HGX_H100 = new Cluster("hgx-h100", 1, 8, h100(), Link.of(5, 360), Link.of(10, 50));

    /** One H100 per host (several hosts: one GPU each, joined by 400 Gb/s). */
    static final Cluster H100 = new Cluster("h100", 1, 1, h100(), Link.of(5, 360), Link.of(10, 50));

    /**
     * This machine as a simulated mesh: 8 logical devices per host sharing the CPU (130 GFLOP/s sgemm
     * on 2 cores, REFERENCES §4, split 8 ways); collectives are memory copies.
     */
    static final Cluster CPU = new Cluster("cpu", 1, 8,
            new GpuSpec("cpu-logical-device", Map.of(DType.F32, 130e9 / 8), 2 * GIB, 10e9),
            Link.of(20, 5), Link.of(20, 5));

    private static final List<Cluster> ALL = List.of(P3_16XLARGE, DGX_A100, HGX_H100, H100, CPU);

    private ClusterPresets() {
    }

    private static GpuSpec h100() {
        return new GpuSpec("H100-SXM5-80GB", Map.of(DType.F32, 67e12, DType.BF16, 790e12, DType.F16, 790e12),
                80 * GIB, 3.0e12);
    }

    /** The names {@link #byName} accepts. */
    public static List<String> names() {
        return ALL.stream().map(Cluster::name).toList();
    }

    /** The preset {@code name} with {@code hosts} hosts; an unknown name or a bad host count is a user error. */
    public static Cluster byName(String name, int hosts) {
        if (hosts < 1) {
            throw new PlanningException("--hosts must be at least 1, got " + hosts);
        }
        for (Cluster c : ALL) {
            if (c.name().equals(name)) {
                return c.withHosts(hosts);
            }
        }
        throw new PlanningException("unknown cluster preset '" + name + "'; use one of " + names()
                + " or a JSON file (docs/cluster-json.md)");
    }

    /** A preset name, or else a path to a cluster JSON file; {@code hosts} overrides the file's host count when given. */
    public static Cluster resolve(String presetOrFile, Integer hosts) {
        if (names().contains(presetOrFile)) {
            return byName(presetOrFile, hosts == null ? 1 : hosts);
        }
        if (!presetOrFile.endsWith(".json")) {
            throw new PlanningException("unknown cluster preset '" + presetOrFile + "'; use one of " + names()
                    + " or a JSON file (docs/cluster-json.md)");
        }
        Cluster c = ClusterJson.read(java.nio.file.Path.of(presetOrFile));
        if (hosts == null) {
            return c;
        }
        if (hosts < 1) {
            throw new PlanningException("--hosts must be at least 1, got " + hosts);
        }
        return c.withHosts(hosts);
    }
}
