package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.io.OutputFile;
import io.github.alpa4j.engine.profile.Benches;
import io.github.alpa4j.engine.profile.CpuProfile;
import io.github.alpa4j.engine.profile.DeviceBench;
import io.github.alpa4j.engine.profile.Fit;
import io.github.alpa4j.engine.profile.MeasuredProfile;
import io.github.alpa4j.engine.profile.Profiler;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterJson;
import io.github.alpa4j.planner.cost.OpFamily;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alpa4j profile}: measures the devices a plan runs on and writes the cluster file the planner costs plans with. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measure this machine's devices (matmul rates by shape, op families' bandwidth and fixed cost, each collective's "
                + "alpha and beta) with every device of a mesh busy, and write a cluster file for --cluster (docs/cluster-json.md).")
public class ProfileCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu (simulated devices) or cuda (logical devices on GPU 0) (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--mesh", defaultValue = "2x2", description = "The mesh measured, ROWSxCOLS (default: ${DEFAULT-VALUE}).")
    String mesh;

    @Option(names = "--precision", defaultValue = "fp32", description = "cuda: matrix products in fp32, tf32 or bf16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--out", description = "The cluster file to write (default for --backend cpu: the cache the CLI's 'cpu' cluster reads).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        boolean cuda = switch (backend.toLowerCase(Locale.ROOT)) {
            case "cpu" -> false;
            case "cuda", "gpu" -> true;
            default -> throw new UserInputException("--backend must be cpu or cuda, got '" + backend + "'");
        };
        MatmulPrecision mp = MatmulPrecision.parse(precision);
        if (!cuda && mp != MatmulPrecision.FP32) {
            throw new UserInputException("--precision " + precision + " needs --backend cuda (the CPU computes in fp32)");
        }
        java.util.regex.Matcher shape = java.util.regex.Pattern.compile("(\\d{1,2})x(\\d{1,2})").matcher(mesh.trim());
        if (!shape.matches() || Integer.parseInt(shape.group(1)) < 1 || Integer.parseInt(shape.group(2)) < 1
                || Integer.parseInt(shape.group(1)) * Integer.parseInt(shape.group(2)) > 64) {
            throw new UserInputException("--mesh must be ROWSxCOLS with at most 64 devices, such as 2x2; got '" + mesh + "'");
        }
        MeshGroups groups = new MeshGroups(Integer.parseInt(shape.group(1)), Integer.parseInt(shape.group(2)));
        Path target = out;
        if (target == null) {
            if (cuda) {
                throw new UserInputException("--backend cuda needs --out FILE.json");
            }
            target = CpuProfile.cacheFile();
        }
        OutputFile.check("--out", target);
        long t0 = System.nanoTime();
        boolean bar = !noProgress && System.console() != null;
        try (ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("profile").setStyle(ProgressBarStyle.ASCII).build() : null) {
            Profiler.Progress progress = (done, total, what) -> {
                if (pb != null) {
                    pb.maxHint(total);
                    pb.stepTo(done);
                    pb.setExtraMessage(what);
                }
            };
            if (cuda) {
                profileCuda(groups, mp, target, progress, o);
            } else {
                MeasuredProfile p = CpuProfile.measure(target, groups, Profiler.Design.standard(), progress);
                o.print(summary(CpuProfile.cluster(p), p));
            }
            o.printf(Locale.ROOT, "profiled %s %s mesh in %.1f s; cluster file %s (use --cluster %s)%n", cuda ? "cuda" : "cpu", mesh,
                    (System.nanoTime() - t0) * 1e-9, target, out == null ? "cpu" : target);
        }
        return 0;
    }

    private void profileCuda(MeshGroups groups, MatmulPrecision mp, Path target, Profiler.Progress progress, PrintWriter o) {
        MeasuredProfile p;
        try (DeviceBench<?, ?> bench = Benches.cuda(groups, mp, 0.005)) {
            p = Profiler.run(bench, Profiler.Design.standard(), progress);
        }
        DType dtype = mp == MatmulPrecision.BF16 ? DType.BF16 : DType.F32;
        Cluster c = p.cluster("cuda-" + mesh, "gpu0-logical-device", groups.devices(), 1L << 30, dtype,
                "measured by alpa4j profile --backend cuda --precision " + precision + " at " + Instant.now());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("backend", "cuda " + precision);
        about.put("date", Instant.now());
        OutputFile.write(target, ClusterJson.toJson(p.json(c, about)) + "\n");
        o.print(summary(c, p));
    }

    /** What the profile found, a line per family and fit. */
    private static String summary(Cluster c, MeasuredProfile p) {
        StringBuilder sb = new StringBuilder();
        var cost = c.gpu().cost();
        sb.append(String.format(Locale.ROOT, "matmul: best %.1f GFLOP/s; 64^3 at %.1f, 256^3 at %.1f GFLOP/s%n",
                c.gpu().peakFlops(DType.F32) / 1e9, cost.matmulRates(DType.F32).flopsPerSecond(64, 64, 64, 1) / 1e9,
                cost.matmulRates(DType.F32).flopsPerSecond(256, 256, 256, 1) / 1e9));
        sb.append(String.format(Locale.ROOT, "runtime: %.2f us per op beyond its kernel (in every fixed cost below)%n", p.dispatch() * 1e6));
        for (OpFamily f : OpFamily.values()) {
            var t = cost.throughput(f);
            sb.append(String.format(Locale.ROOT, "  %-12s %8.2f us + bytes at %7.2f GB/s%s%n", f.code(), t.overheadSeconds() * 1e6,
                    t.bytesPerSecond() / 1e9, residual(p.families().get(f))));
        }
        p.ops().forEach((name, fit) -> sb.append(String.format(Locale.ROOT, "    %-16s %8.2f us + bytes at %7.2f GB/s%s%n", name,
                fit.a() * 1e6, 1 / fit.b() / 1e9, residual(fit))));
        p.collectives().forEach((mesh, fits) -> fits.forEach((k, fit) -> sb.append(String.format(Locale.ROOT,
                "  %-5s %-18s alpha %8.2f us, beta %7.2f GB/s%s%n", mesh, k, fit.a() * 1e6, 1 / fit.b() / 1e9, residual(fit)))));
        if (p.p2p() != null) {
            sb.append(String.format(Locale.ROOT, "  %-24s alpha %8.2f us, beta %7.2f GB/s%s%n", "send", p.p2p().a() * 1e6,
                    1 / p.p2p().b() / 1e9, residual(p.p2p())));
        }
        return sb.toString();
    }

    private static String residual(Fit f) {
        return f == null ? "" : String.format(Locale.ROOT, " (residual %.1f %%, %d points)", 100 * f.residual(), f.points());
    }
}
