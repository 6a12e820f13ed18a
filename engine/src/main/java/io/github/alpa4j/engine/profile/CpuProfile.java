package io.github.alpa4j.engine.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterJson;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CLI's {@code cpu} cluster: this machine's measured profile, as 8 simulated devices on one host.
 * Measured on first use (with a one-line notice) on a 2x2 mesh, cached under the user's cache
 * directory ({@code $ALPA4J_CACHE} or {@code ~/.cache/alpa4j}) with the machine's fingerprint, measured
 * again when the machine differs, and refreshed by {@code alpa4j profile --backend cpu}. The
 * environment variable {@code ALPA4J_CPU_CLUSTER=analytic} keeps the analytic preset instead (tests
 * whose numbers must not depend on the machine).
 */
public final class CpuProfile {
    /** Simulated devices of the CLI's cpu cluster. */
    public static final int DEVICES = 8;
    private static final String FILE = "cpu-profile.json";

    private CpuProfile() {
    }

    /** The cpu cluster with {@code hosts} hosts; notices go to {@code notices}. */
    public static synchronized Cluster cluster(Integer hosts, PrintWriter notices) {
        if (hosts != null && hosts < 1) {
            throw new PlanningException("--hosts must be at least 1, got " + hosts);
        }
        if ("analytic".equals(System.getenv("ALPA4J_CPU_CLUSTER"))) {
            return ClusterPresets.byName(ClusterPresets.CPU_ANALYTIC, hosts == null ? 1 : hosts);
        }
        Path cached = cacheFile();
        Cluster c = null;
        if (Files.isRegularFile(cached)) {
            try {
                String text = Files.readString(cached);
                if (fingerprint().equals(new ObjectMapper().readTree(text).path("profile").path("machine").asText())) {
                    c = ClusterJson.parse(text, cached.toString());
                }
            } catch (IOException | PlanningException e) {
                c = null; // unreadable or stale: measure again
            }
        }
        if (c == null) {
            notices.println("alpa4j: measuring this machine for the cost model (once; cached in " + cached
                    + ", refreshed by 'alpa4j profile --backend cpu')");
            notices.flush();
            c = cluster(measure(cached, Profiler.Design.standard(), (done, total, what) -> { }));
        }
        return hosts == null ? c : c.withHosts(hosts);
    }

    /** Profiles a {@code mesh} of simulated devices and writes the cluster file to {@code out}. */
    public static MeasuredProfile measure(Path out, MeshGroups mesh, Profiler.Design design, Profiler.Progress progress) {
        long t0 = System.nanoTime();
        MeasuredProfile p;
        try (DeviceBench<float[], int[]> bench = Benches.cpu(mesh, 0.005)) {
            p = Profiler.run(bench, design, progress);
        }
        // devices sharing the cores slow each other's collectives by their number: measure a mesh of half as many too
        if (mesh.devices() > 2) {
            MeshGroups half = mesh.rows() > 1 ? new MeshGroups(mesh.rows() / 2, mesh.cols()) : new MeshGroups(1, mesh.cols() / 2);
            try (DeviceBench<float[], int[]> bench = Benches.cpu(half, 0.005)) {
                p = p.withCollectives(half.rows() + "x" + half.cols(), Profiler.collectivesOnly(bench, design, progress));
            }
        }
        Cluster c = cluster(p);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("machine", fingerprint());
        about.put("backend", "cpu");
        about.put("date", Instant.now());
        about.put("seconds", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) * 1e-9));
        OutputFile.write(out, ClusterJson.toJson(p.json(c, about)) + "\n");
        return p;
    }

    /** Profiles the standard 2x2 mesh. */
    static MeasuredProfile measure(Path out, Profiler.Design design, Profiler.Progress progress) {
        return measure(out, new MeshGroups(2, 2), design, progress);
    }

    /** The cpu cluster a profile describes. */
    public static Cluster cluster(MeasuredProfile p) {
        return p.cluster("cpu", "cpu-simulated-device", DEVICES, 2L << 30, DType.F32, "measured by alpa4j profile on " + machine());
    }

    public static Path cacheFile() {
        String dir = System.getenv("ALPA4J_CACHE");
        Path base = dir != null && !dir.isBlank() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "alpa4j");
        return base.resolve(FILE);
    }

    /**
     * What a cached profile must have been measured on: processor, cores, Java, and the code that runs a
     * step (kernels, runtime, collectives, and this profiler): a build with faster kernels measures afresh.
     */
    static String fingerprint() {
        return machine() + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version().feature()
                + ", code " + CodeFingerprint.of(io.github.alpa4j.kernels.CpuKernels.class,
                        io.github.alpa4j.engine.runtime.CpuBackend.class, io.github.alpa4j.engine.collective.CpuCollectives.class,
                        Profiler.class);
    }

    static String machine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: the architecture names it
        }
        return System.getProperty("os.arch");
    }
}
