package io.github.alpa4j.it.bench;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelinePlanner;
import io.github.alpa4j.planner.stage.PipelineReport;
import io.github.alpa4j.planner.stage.PipelineStats;
import io.github.alpa4j.planner.stage.StageOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The inter-op pass on Alpa's GPT-39B benchmark (48 blocks, hidden 8192, 64 heads, seq 1024, vocabulary
 * 51200, global batch 1024, AdamW) on 64 GPUs of p3.16xlarge, against the best Megatron plan, and how
 * planning time grows with layers and GPUs, in process (warm JVM, the planner's own phases). Measures,
 * asserts nothing; run with {@code mvn -pl tests -am test -Dtest=PipelinePlannerBenchmark -Dtest.excludedGroups=
 * -Dsurefire.failIfNoSpecifiedTests=false}. Writes tests/target/planner-stages-*.md. What a user waits for,
 * the command from a cold JVM, is bench/planner-wall.sh's.
 */
@Tag("bench")
class PipelinePlannerBenchmark {
    static final int BATCH = 1024;

    static Graph gpt(int layers, int microbatches) {
        GptConfig c = new GptConfig(layers, 64, 8192, 1024, 51200, BATCH / microbatches);
        return Autodiff.training(Models.gpt(c).forward(), "loss", Optimizer.AdamW.withLr(1e-4));
    }

    static List<Integer> powersOfTwo() {
        List<Integer> out = new ArrayList<>();
        for (int m = 1; m <= BATCH; m *= 2) {
            out.add(m);
        }
        return out;
    }

    @Test
    void gpt39b() throws IOException {
        warmUp();
        Cluster cluster = ClusterPresets.byName("p3.16xlarge", 8);
        StringBuilder md = new StringBuilder();
        for (double gib : new double[] {16, 32}) {
            StageOptions o = StageOptions.defaults().withMemoryBudgetBytes((long) (gib * (1L << 30)));
            md.append(String.format(Locale.ROOT, "%n## memory budget %.0f GiB per GPU%n%n", gib));
            long t0 = System.nanoTime();
            Duration cpu0 = cpu();
            PipelinePlan auto = PipelinePlanner.plan(gpt(48, BATCH), BATCH, cluster, o);
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = cpu().minus(cpu0).toNanos() / 1e9;
            md.append(String.format(Locale.ROOT, "automatic plan, %d microbatches: planned in %.1f s wall, %.1f s process CPU "
                    + "(graph building included)%n%n```%n%s```%n", BATCH, wall, cpuSeconds, PipelineReport.render(auto)));
            t0 = System.nanoTime();
            try {
                PipelinePlan megatron = MegatronPipeline.best(m -> gpt(48, m), powersOfTwo(), cluster, o);
                md.append(String.format(Locale.ROOT, "best Megatron plan over every dp x tp x pp and %s microbatches: searched in %.1f s%n%n```%n%s```%n",
                        powersOfTwo(), (System.nanoTime() - t0) / 1e9, PipelineReport.render(megatron)));
            } catch (RuntimeException e) {
                md.append(String.format(Locale.ROOT, "best Megatron plan: %s (searched in %.1f s)%n", e.getMessage(),
                        (System.nanoTime() - t0) / 1e9));
            }
            System.out.print(md);
        }
        write("planner-stages-gpt39b.md", md);
    }

    @Test
    void scaling() throws IOException {
        warmUp();
        StringBuilder md = new StringBuilder("| blocks | GPUs | layers | distinct | logical meshes | layer ILPs | stage ILPs | DP runs "
                + "| clustering s | ILP construction s | ILP solving s | range costs s | DP s | stage ILPs s | total s | stages "
                + "| iteration s | TFLOP/s per GPU |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int[][] runs = {{12, 64}, {24, 64}, {48, 64}, {96, 64}, {48, 8}, {48, 16}, {48, 32}, {48, 128}, {48, 256}};
        for (int[] r : runs) {
            Cluster cluster = ClusterPresets.byName("p3.16xlarge", r[1] / 8);
            StageOptions o = StageOptions.defaults().withMemoryBudgetBytes(1L << 50);
            PipelinePlan p = PipelinePlanner.plan(gpt(r[0], BATCH), BATCH, cluster, o);
            PipelineStats s = p.stats().orElseThrow();
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f "
                            + "| %d | %.2f | %.2f |%n",
                    r[0], r[1], s.layers(), s.layerTypes(), s.logicalMeshes(), s.layerIlps(), s.stageIlps(), s.dpRuns(),
                    s.seconds(PipelineStats.CLUSTERING), s.seconds(PipelineStats.ILP_CONSTRUCTION), s.seconds(PipelineStats.ILP_SOLVING),
                    s.seconds(PipelineStats.RANGE_COSTS), s.seconds(PipelineStats.STAGE_DP), s.seconds(PipelineStats.STAGE_ILPS),
                    s.totalSeconds(), p.stages().size(), p.iterationSeconds(), p.tflopsPerDevice()));
            System.out.print(md.substring(md.lastIndexOf("\n| ", md.length() - 2) + 1));
        }
        write("planner-stages-scaling.md", md);
    }

    /** Loads OR-Tools and warms the JIT on a small pipeline first. */
    private static void warmUp() {
        GptConfig c = new GptConfig(2, 4, 256, 64, 512, 8);
        PipelinePlanner.plan(Autodiff.training(Models.gpt(c).forward(), "loss", Optimizer.AdamW.withLr(1e-4)), 2,
                ClusterPresets.byName("p3.16xlarge", 1), StageOptions.defaults());
    }

    private static Duration cpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static void write(String name, StringBuilder md) throws IOException {
        md.append(String.format(Locale.ROOT, "%nload average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim()));
        Files.writeString(Path.of("target", name), md.toString());
    }
}
