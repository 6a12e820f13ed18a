package io.github.alpa4j.it.bench;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MoeConfig;
import io.github.alpa4j.engine.model.MoeModel;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.ExpertDataParallel;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.RematMode;
import io.github.alpa4j.planner.stage.StageOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Alpa's MoE weak-scaling cases (REFERENCES §2; the artifact's suite_auto_moe.py and
 * benchmark_one_case_moe.py): seq 1024, vocabulary 32000, 16 heads, global batch 1024, expert group
 * 2048, every MLP 8×hidden wide, fp16 with f32 master weights, rematerialisation on, AdamW,
 * p3.16xlarge, a 16 GiB budget, the paper's microbatch counts. For each: the automatic plan (stage DP
 * and its stage ILPs) and ep-dp (DeepSpeed's expert + data parallelism on every GPU, microbatches as
 * gradient accumulation), their predicted iteration and TFLOP/s per GPU by Alpa's
 * compute_moe_tflops (recomputation counted) beside the paper's measurements, and planning time.
 * Cases run in order of size; the property {@code moe.maxGpus} (default 64) stops after that many GPUs.
 * Measures, asserts nothing; bench/planner-moe.sh runs it. Writes tests/target/planner-moe.md.
 */
@Tag("bench")
class AlpaMoePlannerBenchmark {
    static final int BATCH = 1024;
    static final int SEQ = 1024;
    static final int VOCAB = 32000;
    static final int HEADS = 16;
    static final int GROUP = 2048;
    static final int MLP_FACTOR = 8;

    /** One case of the paper's table, with the plan Alpa's suite records for p3.16xlarge. */
    record Case(String name, int hidden, int layers, int experts, int gpus, int microbatches, double alpaTflops,
                String deepspeedTflops, String paperPlan) {
    }

    static final List<Case> CASES = List.of(
            new Case("380M", 768, 8, 8, 1, 512, 45.46, "34.24", "1 stage (1,1)"),
            new Case("690M", 768, 8, 16, 2, 32, 43.03, "33.11", "1 stage (1,2) as (2,1), data parallel"),
            new Case("1.3B", 768, 16, 16, 4, 32, 39.92, "34.67", "2 stages (1,2) as (2,1), data parallel"),
            new Case("2.4B", 1024, 16, 16, 8, 32, 45.76, "40.01", "2 stages (1,4) as (4,1), data parallel"),
            new Case("10B", 1536, 16, 32, 16, 16, 45.36, "12.91", "2 stages (1,8) as (8,1)"),
            new Case("27B", 2048, 16, 48, 32, 128, 38.84, "3.82", "8 stages (1,4) as (4,1)"),
            new Case("70B", 2048, 32, 64, 64, 64, 36.55, "out of memory", "8 stages (1,8) as (8,1)"));

    static Graph moe(Case c, int microbatches) {
        int batch = BATCH / microbatches;
        int group = Math.min(GROUP, batch * SEQ);
        MoeConfig m = new MoeConfig(new GptConfig(c.layers(), HEADS, c.hidden(), SEQ, VOCAB, batch), c.experts(), group, 1.0, 0.01,
                MLP_FACTOR);
        return Autodiff.training(MoeModel.build(m, Precision.FP16).forward(), "loss", Optimizer.AdamW.withLr(1e-4), true);
    }

    static Cluster cluster(Case c) {
        Cluster p3 = ClusterPresets.byName("p3.16xlarge", Math.max(1, c.gpus() / 8));
        return c.gpus() < 8 ? p3.withShape(1, c.gpus()) : p3;
    }

    /** Alpa's compute_moe_tflops numerator (benchmark/alpa/util.py) with rematerialisation (factor 4). */
    static double alpaFlops(Case c) {
        double b = BATCH;
        double s = SEQ;
        double h = c.hidden();
        double factor = 4;
        double pure = (b * s * h * h * (8 + 4 * MLP_FACTOR) + 4 * b * s * s * h) * factor;
        double moe = b * s * h * h * 8 + 4 * b * s * s * h + 8 * b * s * h * h * MLP_FACTOR + 2 * b * s * h * c.experts()
                + 2 * (b * s) * 2 * GROUP + 2 * b * s * h * 2 * GROUP * 2;
        moe *= factor;
        return pure * c.layers() / 2 + moe * c.layers() / 2 + 6 * b * s * h * VOCAB;
    }

    /** FLOPs of one iteration by the planned stage graphs (recomputed nodes included, the update once). */
    static double graphFlops(PipelinePlan p) {
        double f = 0;
        for (PipelineStage s : p.stages()) {
            Graph g = s.graph().graph();
            for (var n : g.nodes()) {
                f += g.flops(n) * (n.phase() == Phase.UPDATE ? 1.0 : p.microbatches());
            }
        }
        return f;
    }

    /** How the stage lays out its expert weights: " EP S1RR" (split by expert), " experts RRR", or "" (no expert layer). */
    static String experts(PipelineStage s) {
        java.util.Set<String> specs = new java.util.TreeSet<>();
        Graph g = s.graph().graph();
        for (var n : g.nodes()) {
            if (n.isParameter() && n.name().contains("moe/experts/")) {
                specs.add(s.plan().strategy(n.id()).outputSpec().toString());
            }
        }
        if (specs.isEmpty()) {
            return "";
        }
        boolean split = specs.stream().allMatch(x -> x.startsWith("S"));
        return (split ? " EP " : " experts ") + String.join("/", specs);
    }

    static String row(String what, PipelinePlan p, Case c, double seconds) {
        String stages = p.stages().stream().map(s -> String.format(Locale.ROOT, "%d-%d:%dx%d%s", s.firstLayer(), s.lastLayer(),
                s.mesh().rows(), s.mesh().cols(), experts(s))).collect(Collectors.joining(", "));
        long peak = p.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0);
        return String.format(Locale.ROOT, "| %s | %d | %s | %d | %d stages: %s | %.2f GiB | %s | %.3f s | %.2f | %.2f | %.1f s |%n",
                c.name(), c.gpus(), what, p.microbatches(), p.stages().size(), stages, peak / (double) (1L << 30),
                p.fits() ? "yes" : "**no**", p.iterationSeconds(), alpaFlops(c) / p.iterationSeconds() / c.gpus() / 1e12,
                graphFlops(p) / p.iterationSeconds() / c.gpus() / 1e12, seconds);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "no plan fits" : String.format(Locale.ROOT, "%.2f", v);
    }

    @Test
    void alpaMoeWeakScaling() throws IOException {
        int maxGpus = Integer.getInteger("moe.maxGpus", 64);
        StageOptions o = StageOptions.defaults().withMemoryBudgetBytes(16L << 30).withRemat(RematMode.LAYERS);
        Path out = Path.of("target", "planner-moe.md");
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "load average at the start: %s%n%n",
                Files.readString(Path.of("/proc/loadavg")).trim()));
        md.append("| MoE | GPUs | plan | microbatches | stages (layers: logical mesh, expert weights' layout) | peak memory per GPU | fits 16 GiB "
                + "| predicted iteration | predicted TFLOP/s per GPU (Alpa's count) | (graph's count) | planning time |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder summary = new StringBuilder("| MoE | GPUs | auto TFLOP/s | ep-dp TFLOP/s | auto / ep-dp | Alpa measured "
                + "| DeepSpeed measured | measured ratio | Alpa's plan (artifact) |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Case c : CASES) {
            if (c.gpus() > maxGpus) {
                md.append(String.format(Locale.ROOT, "| %s | %d | not planned in this run (moe.maxGpus=%d) |%n", c.name(), c.gpus(), maxGpus));
                continue;
            }
            Cluster cluster = cluster(c);
            PipelinePlan auto = null;
            long t0 = System.nanoTime();
            try {
                auto = PipelinePlanner.plan(moe(c, c.microbatches()), c.microbatches(), cluster, o);
                md.append(row("auto", auto, c, (System.nanoTime() - t0) / 1e9));
            } catch (PlanningException e) {
                md.append(String.format(Locale.ROOT, "| %s | %d | auto | %s |%n", c.name(), c.gpus(), e.getMessage()));
                // what the planner would choose without the budget, and how much memory that takes
                t0 = System.nanoTime();
                try {
                    PipelinePlan over = PipelinePlanner.plan(moe(c, c.microbatches()), c.microbatches(), cluster,
                            o.withMemoryBudgetBytes(1L << 40));
                    md.append(row("auto, budget lifted", over, c, (System.nanoTime() - t0) / 1e9));
                } catch (PlanningException e2) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | auto, budget lifted | %s |%n", c.name(), c.gpus(), e2.getMessage()));
                }
            }
            PipelinePlan epdp = null;
            t0 = System.nanoTime();
            try {
                epdp = ExpertDataParallel.plan(moe(c, c.microbatches()), c.microbatches(), cluster, o);
                md.append(row("ep-dp", epdp, c, (System.nanoTime() - t0) / 1e9));
            } catch (PlanningException e) {
                md.append(String.format(Locale.ROOT, "| %s | %d | ep-dp | %s |%n", c.name(), c.gpus(), e.getMessage()));
            }
            double a = auto == null ? Double.NaN : alpaFlops(c) / auto.iterationSeconds() / c.gpus() / 1e12;
            double d = epdp == null ? Double.NaN : alpaFlops(c) / epdp.iterationSeconds() / c.gpus() / 1e12;
            String ds = c.deepspeedTflops();
            String measuredRatio = ds.matches("[0-9.]+") ? String.format(Locale.ROOT, "%.2f", c.alpaTflops() / Double.parseDouble(ds)) : "-";
            summary.append(String.format(Locale.ROOT, "| %s | %d | %s | %s%s | %s | %.2f | %s | %s | %s |%n", c.name(), c.gpus(), num(a),
                    num(d), epdp != null && !epdp.fits() ? " (does not fit)" : "", num(a / d), c.alpaTflops(), ds, measuredRatio,
                    c.paperPlan()));
            Files.writeString(out, md + "\n" + summary);
            System.out.print(md.substring(md.lastIndexOf("\n| " + c.name(), md.length() - 2) + 1));
        }
        md.append("\n").append(summary);
        md.append(String.format(Locale.ROOT, "%nload average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim()));
        System.out.print(md);
        Files.writeString(out, md.toString());
    }
}
