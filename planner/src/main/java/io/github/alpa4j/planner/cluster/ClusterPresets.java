package io.github.alpa4j.planner.cluster;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cost.DeviceCost;
import java.util.List;
import java.util.Map;

/**
 * Built-in clusters. GPU rates are datasheet dense peak FLOP/s; what an op achieves on them is an
 * assumption stated in {@link #assumedGpuCost} (docs/cluster-json.md gives the sources); link
 * bandwidths are NCCL bus bandwidths, latencies typical NCCL step latencies. The {@code cpu} preset
 * is the analytic description of this machine as a simulated mesh (the CLI's {@code cpu} is this
 * machine's measured profile instead; this one is {@code cpu-analytic} there).
 */
public final class ClusterPresets {
    private static final long GIB = 1L << 30;

    /** Alpa's testbed: 8 x V100-SXM2-16GB with NVLink per host, 25 Gbps between hosts (REFERENCES §2). */
    static final Cluster P3_16XLARGE = new Cluster("p3.16xlarge", 1, 8,
            gpu("V100-SXM2-16GB", Map.of(DType.F32, 15.7e12, DType.F16, 125e12), 16 * GIB, 900e9),
            Link.of(5, 130), Link.of(50, 25.0 / 8));

    /** DGX A100: 8 x A100-SXM4-80GB, NVLink 3, 8 x 200 Gb/s HDR InfiniBand per host. */
    static final Cluster DGX_A100 = new Cluster("dgx-a100", 1, 8,
            gpu("A100-SXM4-80GB", Map.of(DType.F32, 19.5e12, DType.BF16, 312e12, DType.F16, 312e12), 80 * GIB, 2039e9),
            Link.of(5, 230), Link.of(10, 25));

    /** HGX H100: 8 x H100-SXM5-80GB, NVLink 4, 8 x 400 Gb/s NDR InfiniBand per host. */
    static final Cluster HGX_H100 = new Cluster("hgx-h100", 1, 8, h100(), Link.of(5, 360), Link.of(10, 50));

    /** One H100 per host (several hosts: one GPU each, joined by 400 Gb/s). */
    static final Cluster H100 = new Cluster("h100", 1, 1, h100(), Link.of(5, 360), Link.of(10, 50));

    /**
     * This machine as a simulated mesh, analytically: 8 logical devices per host sharing the CPU (130
     * GFLOP/s sgemm on 2 cores, REFERENCES §4, split 8 ways) at their ideal roofline; collectives are
     * memory copies. The baseline a measured profile ({@code alpa4j profile}) is compared with.
     */
    static final Cluster CPU = new Cluster("cpu", 1, 8,
            new GpuSpec("cpu-logical-device", Map.of(DType.F32, 130e9 / 8), 2 * GIB, 10e9),
            Link.of(20, 5), Link.of(20, 5));

    private static final List<Cluster> ALL = List.of(P3_16XLARGE, DGX_A100, HGX_H100, H100, CPU);
    /** Another name of the analytic {@code cpu} preset, where {@code cpu} means a measured profile (the CLI). */
    public static final String CPU_ANALYTIC = "cpu-analytic";

    private ClusterPresets() {
    }

    private static GpuSpec h100() {
        return gpu("H100-SXM5-80GB", Map.of(DType.F32, 67e12, DType.BF16, 989e12, DType.F16, 989e12), 80 * GIB, 3.35e12);
    }

    /** Fraction of the datasheet peak large products reach (H100 bf16: 790 of 989 TFLOP/s measured, REFERENCES §4). */
    static final double MATMUL_EFFICIENCY = 0.8;
    /** FLOPs of a product that reaches half of that (about a 600^3 product: a few waves of tiles fill the SMs). */
    static final double HALF_WORK_FLOPS = 5e8;
    /** Fraction of the memory bandwidth memory-bound kernels reach (H100: 3.0 of 3.35 TB/s copy, REFERENCES §4). */
    static final double MEMORY_EFFICIENCY = 0.9;
    /** Fixed cost of a kernel launch. */
    static final double LAUNCH_SECONDS = 5e-6;

    private static GpuSpec gpu(String name, Map<DType, Double> peak, long memory, double bandwidth) {
        return new GpuSpec(name, peak, memory, bandwidth, assumedGpuCost(peak, bandwidth));
    }

    /**
     * What ops cost on a GPU nobody here has measured, stated: products reach {@value #MATMUL_EFFICIENCY} of
     * the peak as they grow (half of that at {@value #HALF_WORK_FLOPS} FLOPs), memory-bound ops move bytes at
     * {@value #MEMORY_EFFICIENCY} of the bandwidth, every kernel costs {@value #LAUNCH_SECONDS} s to launch.
     */
    public static DeviceCost assumedGpuCost(Map<DType, Double> peak, double bandwidth) {
        return DeviceCost.assumed(peak, bandwidth, MATMUL_EFFICIENCY, HALF_WORK_FLOPS, MEMORY_EFFICIENCY, LAUNCH_SECONDS,
                "assumed: products at " + MATMUL_EFFICIENCY + " of peak (half of it at " + HALF_WORK_FLOPS / 1e9 + " GFLOP), memory at "
                        + MEMORY_EFFICIENCY + " of bandwidth, " + LAUNCH_SECONDS * 1e6 + " us per kernel (docs/cluster-json.md)");
    }

    /** The names {@link #byName} accepts. */
    public static List<String> names() {
        return java.util.stream.Stream.concat(ALL.stream().map(Cluster::name), java.util.stream.Stream.of(CPU_ANALYTIC)).toList();
    }

    /** The preset {@code name} with {@code hosts} hosts; an unknown name or a bad host count is a user error. */
    public static Cluster byName(String name, int hosts) {
        if (hosts < 1) {
            throw new PlanningException("--hosts must be at least 1, got " + hosts);
        }
        if (name.equals(CPU_ANALYTIC)) {
            return CPU.withHosts(hosts);
        }
        for (Cluster c : ALL) {
            if (c.name().equals(name)) {
                return c.withHosts(hosts);
            }
        }
        throw new PlanningException("--cluster: unknown cluster preset '" + shown(name) + "'; use one of " + names()
                + " or a JSON file (docs/cluster-json.md)");
    }

    /** A preset name, or else a path to a cluster JSON file; {@code hosts} overrides the file's host count when given. */
    public static Cluster resolve(String presetOrFile, Integer hosts) {
        if (names().contains(presetOrFile)) {
            return byName(presetOrFile, hosts == null ? 1 : hosts);
        }
        if (!presetOrFile.endsWith(".json")) {
            throw new PlanningException("--cluster: unknown cluster preset '" + shown(presetOrFile) + "'; use one of " + names()
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

    /** A name as a message quotes it: at most 60 characters. */
    private static String shown(String name) {
        return name.length() <= 60 ? name : name.substring(0, 60) + "... (" + name.length() + " characters)";
    }
}
