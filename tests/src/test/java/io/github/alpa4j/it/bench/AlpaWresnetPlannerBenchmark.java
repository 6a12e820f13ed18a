package io.github.alpa4j.it.bench;

import io.github.alpa4j.engine.model.WideResNet;
import io.github.alpa4j.engine.model.WideResNetConfig;
import io.github.alpa4j.ir.ElementwiseOp;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.Precision;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.sharding.ShardingSpec;
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
 * Alpa's Wide-ResNet weak-scaling cases (REFERENCES §2; the artifact's benchmark/alpa/suite_wresnet.py)
 * planned as the paper ran them: 224x224 images, 1024 classes, fp32, rematerialisation on, SGD with
 * momentum, p3.16xlarge (V100-16GB, 15.7 TFLOP/s fp32), a 16 GiB budget, the artifact's global batch
 * and microbatch counts. For each: the automatic plan ({@code plan --pipeline --pipeline-layers <blocks>}:
 * stage DP over a layer per residual block, as the artifact clusters it, and Megatron's best as a candidate) and the best pipeline + data parallel plan (every dp x pp with tp = 1, as
 * {@code --plan megatron:dp=D,pp=P}), predicted iteration, TFLOP/s per GPU, planning time and each
 * stage's layers, submesh, logical mesh and how its convolutions are split. Measures, asserts nothing;
 * bench/planner-wresnet.sh runs it and writes bench/results/planner-wresnet.md. Run only some cases with
 * {@code -Dwresnet.cases=250M,1B}.
 */
@Tag("bench")
class AlpaWresnetPlannerBenchmark {
    static final int IMAGE = 224;
    static final int CLASSES = 1024;

    /** A case: the artifact's model spec, GPUs, global batch, microbatches, and the paper's numbers. */
    record Case(String name, int depth, int channels, int width, int gpus, int batch, int microbatches, String alpaTflops,
                String ppdpTflops, String alpaPlan) {
    }

    static final List<Case> CASES = List.of(
            new Case("250M", 50, 160, 2, 1, 1536, 24, "8.3", "8.3", "1 stage: blocks 0-15 on (1,1)"),
            new Case("1B", 50, 320, 2, 4, 1536, 24, "8.16", "8.08", "1 stage: 0-15 on (1,4), logical (1,4)"),
            new Case("2B", 50, 448, 2, 8, 1536, 24, "8.04", "7.72", "2 stages: 0-7 on (1,4) as (4,1); 8-15 on (1,4) as (1,4), forced dp"),
            new Case("4B", 50, 640, 2, 16, 1536, 32, "6.76", "0.37",
                    "3 stages: 0-4 on (1,4) as (4,1) forced dp; 5-8 on (1,4) as (4,1) forced dp; 9-15 on (1,8) as (8,1), auto"),
            new Case("6.8B", 50, 320, 16, 32, 1520, 38, "6.60", "fails",
                    "4 stages (at 1536/32): 0-4, 5-8, 9-12, 13-15, each on (1,8) as (8,1); the first forced dp"),
            new Case("13B", 101, 320, 16, 64, 1520, 38, "5.3", "fails",
                    "8 stages of 4-5 blocks, each on (1,8), logical (8,1) or (1,8)"));

    static Graph graph(Case c, int microbatches) {
        WideResNetConfig w = WideResNetConfig.of(c.depth(), c.width(), c.channels(), IMAGE, CLASSES, c.batch() / microbatches);
        return Autodiff.training(WideResNet.build(w, Precision.FP32).forward(), "loss", new Optimizer.Sgd(0.1, 0.9, 0));
    }

    static Cluster cluster(Case c) {
        Cluster p3 = ClusterPresets.byName("p3.16xlarge", Math.max(1, c.gpus() / 8));
        return c.gpus() < 8 ? p3.withShape(1, c.gpus()) : p3;
    }

    /** FLOPs of one iteration's forward and backward passes, without recomputation (the model's own count). */
    static double modelFlops(Graph g, int microbatches) {
        double f = 0;
        for (Node n : g.nodes()) {
            if (n.phase() == Phase.FORWARD || n.phase() == Phase.BACKWARD) {
                f += g.flops(n);
            }
        }
        return f * microbatches;
    }

    /** FLOPs of one iteration by the planned stage graphs (recomputed nodes included, the update once). */
    static double graphFlops(PipelinePlan p) {
        double f = 0;
        for (PipelineStage s : p.stages()) {
            Graph g = s.graph().graph();
            for (Node n : g.nodes()) {
                f += g.flops(n) * (n.phase() == Phase.UPDATE ? 1.0 : p.microbatches());
            }
        }
        return f;
    }

    /**
     * How a stage's forward convolutions (products with a weight) are laid out: batch-split with the
     * weight replicated (data parallel), the weight split over output or input channels, or neither.
     */
    static String convLayout(PipelineStage s) {
        Graph g = s.graph().graph();
        int dp = 0;
        int out = 0;
        int in = 0;
        int rest = 0;
        for (Node n : g.nodes()) {
            if (n.phase() != Phase.FORWARD || !(n.op() instanceof MatmulOp.MatMul) || !isWeight(g, n.input(1))) {
                continue;
            }
            ShardingSpec w = s.plan().strategy(n.id()).inputSpec(1);
            ShardingSpec x = s.plan().strategy(n.id()).inputSpec(0);
            if (w.dim(1).isSplit()) {
                out++;
            } else if (w.dim(0).isSplit()) {
                in++;
            } else if (x.dim(0).isSplit()) {
                dp++;
            } else {
                rest++;
            }
        }
        return String.format(Locale.ROOT, "%d dp, %d out-ch, %d in-ch, %d repl.", dp, out, in, rest);
    }

    private static boolean isWeight(Graph g, int id) {
        Node w = g.node(id);
        return w.isParameter() || w.op() instanceof ElementwiseOp.Cast && g.node(w.input(0)).isParameter();
    }

    static String stages(PipelinePlan p) {
        return p.stages().stream().map(s -> String.format(Locale.ROOT, "%d-%d: (%d,%d) as %dx%d [%s]", s.firstLayer(), s.lastLayer(),
                s.submesh().hosts(), s.submesh().gpus(), s.mesh().rows(), s.mesh().cols(), convLayout(s))).collect(Collectors.joining("; "));
    }

    static String row(Case c, String what, PipelinePlan p, double modelFlops, double seconds) {
        long peak = p.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0);
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %.3f s | %.2f | %.2f | %.2f GiB%s | %.1f s | %d stages: %s |%n",
                c.name(), c.gpus(), what, p.method(), p.microbatches(), p.iterationSeconds(), modelFlops / p.iterationSeconds() / c.gpus() / 1e12,
                graphFlops(p) / p.iterationSeconds() / c.gpus() / 1e12, peak / (double) (1L << 30), p.fits() ? "" : " (**over**)", seconds,
                p.stages().size(), stages(p));
    }

    /** The best pipeline + data parallel plan (tp = 1, optimizer states replicated): every pp dividing the blocks. */
    static PipelinePlan bestPpDp(Graph g, Case c, Cluster cluster, StageOptions o, int blocks, StringBuilder tried) {
        PipelinePlan best = null;
        for (int pp = 1; pp <= Math.min(blocks, c.gpus()); pp++) {
            if (blocks % pp != 0 || c.gpus() % pp != 0) {
                continue;
            }
            int dp = c.gpus() / pp;
            try {
                PipelinePlan p = MegatronPipeline.plan(g, c.microbatches(), cluster, new MegatronPipeline.Degrees(dp, 1, pp), o);
                long peak = p.stages().stream().mapToLong(PipelineStage::memoryBytes).max().orElse(0);
                tried.append(String.format(Locale.ROOT, " dp=%d,pp=%d: %.3f s, %.1f GiB%s;", dp, pp, p.iterationSeconds(), peak / (double) (1L << 30),
                        p.fits() ? "" : " (over)"));
                if (p.fits() && (best == null || p.iterationSeconds() < best.iterationSeconds())) {
                    best = p;
                }
            } catch (PlanningException e) {
                tried.append(String.format(Locale.ROOT, " dp=%d,pp=%d: %s;", dp, pp, e.getMessage()));
            }
        }
        return best;
    }

    @Test
    void alpaWresnetWeakScaling() throws IOException {
        String only = System.getProperty("wresnet.cases", "");
        StageOptions o = StageOptions.defaults().withMemoryBudgetBytes(16L << 30).withRemat(RematMode.LAYERS)
                .toBuilder().logicalShapes(LogicalShapeSpace.ALL).build();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "load average at the start: %s%n%n",
                Files.readString(Path.of("/proc/loadavg")).trim()));
        md.append("| case | GPUs | plan | method | microbatches | predicted iteration | TFLOP/s per GPU (model) | (graph, remat incl.) "
                + "| peak memory per GPU | planning time | stages (blocks: submesh as logical mesh [forward convolutions]) |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder summary = new StringBuilder("| case | parameters | GPUs | auto TFLOP/s | PP-DP TFLOP/s | auto / PP-DP | Alpa measured "
                + "| PP-DP measured | Alpa's plan (artifact) |\n|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder ppdpTried = new StringBuilder();
        for (Case c : CASES) {
            if (!only.isEmpty() && !List.of(only.split(",")).contains(c.name())) {
                continue;
            }
            Cluster cluster = cluster(c);
            Graph g = graph(c, c.microbatches());
            double flops = modelFlops(g, c.microbatches());
            WideResNetConfig w = WideResNetConfig.of(c.depth(), c.width(), c.channels(), IMAGE, CLASSES, c.batch() / c.microbatches());
            long t0 = System.nanoTime();
            PipelinePlan auto = null;
            try {
                // a layer per residual block, as the artifact's benchmark clusters it (get_num_auto_layers)
                auto = PipelinePlanner.plan(g, c.microbatches(), cluster, o.toBuilder().layers(w.blocks()).build());
                md.append(row(c, "auto", auto, flops, (System.nanoTime() - t0) / 1e9));
            } catch (PlanningException e) {
                md.append(String.format(Locale.ROOT, "| %s | %d | auto | %s (%.1f s) |%n", c.name(), c.gpus(), e.getMessage(),
                        (System.nanoTime() - t0) / 1e9));
            }
            System.out.print(md);
            t0 = System.nanoTime();
            StringBuilder tried = new StringBuilder();
            PipelinePlan ppdp = bestPpDp(g, c, cluster, o, w.blocks(), tried);
            double ppdpSeconds = (System.nanoTime() - t0) / 1e9;
            ppdpTried.append(String.format(Locale.ROOT, "- %s:%s%n", c.name(), tried));
            if (ppdp != null) {
                md.append(row(c, "PP-DP (best dp x pp)", ppdp, flops, ppdpSeconds));
            } else {
                md.append(String.format(Locale.ROOT, "| %s | %d | PP-DP | none fits 16 GiB (%.1f s) |%n", c.name(), c.gpus(), ppdpSeconds));
            }
            System.out.print(md);
            double a = auto == null ? 0 : flops / auto.iterationSeconds() / c.gpus() / 1e12;
            double p = ppdp == null ? 0 : flops / ppdp.iterationSeconds() / c.gpus() / 1e12;
            summary.append(String.format(Locale.ROOT, "| %s | %.2f B | %d | %s | %s | %s | %s | %s | %s |%n", c.name(), w.parameters() / 1e9, c.gpus(),
                    auto == null ? "none fits" : String.format(Locale.ROOT, "%.2f", a), ppdp == null ? "none fits" : String.format(Locale.ROOT, "%.2f", p),
                    auto == null || ppdp == null ? "-" : String.format(Locale.ROOT, "%.2fx", a / p), c.alpaTflops(), c.ppdpTflops(), c.alpaPlan()));
        }
        md.append("\n").append(summary).append("\nPP-DP plans tried (iteration time, or why not):\n\n").append(ppdpTried);
        md.append(String.format(Locale.ROOT, "%nload average at the end: %s%n", Files.readString(Path.of("/proc/loadavg")).trim()));
        System.out.print(md);
        Files.writeString(Path.of("target", "planner-wresnet.md"), md.toString());
    }
}
