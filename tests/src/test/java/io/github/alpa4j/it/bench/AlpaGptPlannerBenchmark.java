package io.github.alpa4j.it.bench;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.LogicalShapeSpace;
import io.github.alpa4j.planner.stage.MegatronPipeline;
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
 * Alpa's GPT weak-scaling cases (REFERENCES §2, paper Fig. 7a) as the paper ran them: seq 1024, vocabulary
 * 51200, global batch 1024, fp16 with f32 master weights and dynamic loss scaling, rematerialisation on,
 * AdamW, p3.16xlarge (V100-16GB, 125 TFLOP/s fp16 tensor cores), a 16 GiB budget, the paper's microbatch
 * counts, every logical shape. For each: the automatic plan (the stage DP alone), the best Megatron plan
 * (dp x tp x pp over the paper's microbatch counts for Alpa and for Megatron) and the paper's Megatron
 * plan where the table gives it, each plan's predicted iteration and TFLOP/s per GPU by the paper's
 * counting (96·B·s·L·h²·(1 + s/6h + V/16Lh): recomputation counted) beside the paper's measurements.
 * Measures, asserts nothing; run with {@code mvn -pl tests -am test -Dtest=AlpaGptPlannerBenchmark
 * -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}. Writes tests/target/planner-alpa-gpt.md.
 */
@Tag("bench")
class AlpaGptPlannerBenchmark {
    static final int BATCH = 1024;
    static final int SEQ = 1024;
    static final int VOCAB = 51200;

    /** One case of the paper's table: the model, its GPUs, the paper's plans and measurements. */
    record Case(String name, int layers, int hidden, int heads, int gpus, int alpaMicrobatches, double alpaTflops,
                double megatronTflops, int[] megatron) {
    }

    static final List<Case> CASES = List.of(
            new Case("1.3B", 24, 2048, 32, 4, 128, 58.21, 55.89, new int[] {2, 1, 2, 128}),
            new Case("2.6B", 32, 2560, 32, 8, 128, 61.61, 50.44, new int[] {1, 1, 8, 128}),
            new Case("6.7B", 32, 4096, 32, 16, 64, 60.0, 56.59, new int[] {1, 2, 8, 256}),
            new Case("15B", 48, 5120, 40, 32, 128, 59.9, 58.24, new int[] {1, 4, 8, 256}),
            new Case("39B", 48, 8192, 64, 64, 1024, 57.0, 57.8, null));

    static Graph gpt(Case c, int microbatches) {
        GptConfig g = new GptConfig(c.layers(), c.heads(), c.hidden(), SEQ, VOCAB, BATCH / microbatches);
        return Autodiff.training(Models.gpt(g, Precision.FP16).forward(), "loss", Optimizer.AdamW.withLr(1e-4), true);
    }

    static Cluster cluster(Case c) {
        Cluster p3 = ClusterPresets.byName("p3.16xlarge", Math.max(1, c.gpus() / 8));
        return c.gpus() < 8 ? p3.withShape(1, c.gpus()) : p3;
    }

    /** FLOPs of one iteration as the paper counts them (recomputation included). */
    static double paperFlops(Case c) {
        double h = c.hidden();
        return 96.0 * BATCH * SEQ * c.layers() * h * h * (1 + SEQ / (6 * h) + VOCAB / (16 * c.layers() * h));
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

    static String row(String what, PipelinePlan p, Case c, double seconds) {
        double paper = paperFlops(c) / p.iterationSeconds() / c.gpus() / 1e12;
        String stages = p.stages().stream().map(s -> String.format(Locale.ROOT, "%d-%d:%dx%d%s", s.firstLayer(), s.lastLayer(), s.mesh().rows(),
                s.mesh().cols(), s.graph().graph().nodes().stream().anyMatch(n -> n.name().endsWith("/recompute")) ? "" : " (no remat)"))
                .collect(Collectors.joining(", "));
        long peak = p.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0);
        return String.format(Locale.ROOT, "| %s | %s | %s | %d | %d stages: %s | %.2f GiB | %s | %.3f s | %.2f | %.2f | %.1f s |%n",
                c.name(), what, p.method(), p.microbatches(), p.stages().size(), stages, peak / (double) (1L << 30),
                p.fits() ? "yes" : "**no**", p.iterationSeconds(), paper, graphFlops(p) / p.iterationSeconds() / c.gpus() / 1e12, seconds);
    }

    @Test
    void alpaGptWeakScaling() throws IOException {
        StageOptions o = StageOptions.defaults().withMemoryBudgetBytes(16L << 30).withRemat(RematMode.LAYERS)
                .toBuilder().logicalShapes(LogicalShapeSpace.ALL).build();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "load average at the start: %s%n%n",
                Files.readString(Path.of("/proc/loadavg")).trim()));
        md.append("| GPT | plan | method | microbatches | stages (layers: logical mesh) | peak memory per GPU | fits 16 GiB "
                + "| predicted iteration | predicted TFLOP/s per GPU (paper's count) | (graph's count) | planning time |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder summary = new StringBuilder("| GPT | GPUs | auto (DP) s | best Megatron s | auto no worse | auto TFLOP/s | Alpa measured "
                + "| Megatron TFLOP/s (best) | Megatron measured |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Case c : CASES) {
            Cluster cluster = cluster(c);
            long t0 = System.nanoTime();
            PipelinePlan auto = null;
            try {
                auto = PipelinePlanner.plan(gpt(c, c.alpaMicrobatches()), c.alpaMicrobatches(), cluster, o);
                md.append(row("automatic (stage DP)", auto, c, (System.nanoTime() - t0) / 1e9));
            } catch (PlanningException e) {
                md.append(String.format(Locale.ROOT, "| %s | automatic | %s |%n", c.name(), e.getMessage()));
            }
            System.out.print(md.substring(md.lastIndexOf("\n| ", md.length() - 2) + 1));
            List<Integer> counts = c.megatron() == null ? List.of(c.alpaMicrobatches())
                    : List.of(c.alpaMicrobatches(), c.megatron()[3]).stream().distinct().toList();
            t0 = System.nanoTime();
            PipelinePlan best = null;
            try {
                best = MegatronPipeline.best(m -> gpt(c, m), counts, cluster, o);
                md.append(row("best Megatron", best, c, (System.nanoTime() - t0) / 1e9));
            } catch (PlanningException e) {
                md.append(String.format(Locale.ROOT, "| %s | best Megatron | %s |%n", c.name(), e.getMessage()));
            }
            if (c.megatron() != null) {
                int[] d = c.megatron();
                t0 = System.nanoTime();
                try {
                    PipelinePlan paper = MegatronPipeline.plan(gpt(c, d[3]), d[3], cluster, new MegatronPipeline.Degrees(d[0], d[1], d[2]), o);
                    md.append(row("paper's Megatron", paper, c, (System.nanoTime() - t0) / 1e9));
                } catch (PlanningException e) {
                    md.append(String.format(Locale.ROOT, "| %s | paper's Megatron | %s |%n", c.name(), e.getMessage()));
                }
            }
            System.out.print(md);
            summary.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %.2f | %s | %.2f |%n", c.name(), c.gpus(),
                    auto == null ? "-" : String.format(Locale.ROOT, "%.3f", auto.iterationSeconds()),
                    best == null ? "-" : String.format(Locale.ROOT, "%.3f", best.iterationSeconds()),
                    auto == null || best == null ? "-" : auto.iterationSeconds() <= best.iterationSeconds() * (1 + 1e-9) ? "yes" : "**no**",
                    auto == null ? "-" : String.format(Locale.ROOT, "%.2f", paperFlops(c) / auto.iterationSeconds() / c.gpus() / 1e12),
                    c.alpaTflops(), best == null ? "-" : String.format(Locale.ROOT, "%.2f", paperFlops(c) / best.iterationSeconds() / c.gpus() / 1e12),
                    c.megatronTflops()));
        }
        md.append("\n").append(summary);
        md.append(String.format(Locale.ROOT, "%nload average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim()));
        System.out.print(md);
        Files.writeString(Path.of("target", "planner-alpa-gpt.md"), md.toString());
    }
}
