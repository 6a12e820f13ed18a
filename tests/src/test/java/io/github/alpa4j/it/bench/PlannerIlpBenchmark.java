package io.github.alpa4j.it.bench;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.MlpConfig;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.plan.IlpStats;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ILP size and planning time for a 24-layer GPT (hidden 2048) training step on 2x4 and 4x8 meshes of
 * p3.16xlarge hosts, with and without follower merging (and without role tying, for comparison).
 * Measures, asserts nothing; run with {@code mvn -pl tests -am test -Dtest=PlannerIlpBenchmark
 * -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}; add {@code -Dbench.defaultOnly=true} for the
 * default configuration alone (twice per mesh, without the 60-s ones). Writes tests/target/planner-ilp.md.
 */
@Tag("bench")
class PlannerIlpBenchmark {

    private record Row(String mesh, String config, IlpStats s, double wall, double cpu, IntraOpPlan plan) {
    }

    @Test
    void gpt24() throws IOException {
        // load CP-SAT's native library and warm the JIT on a small model first
        Graph small = Autodiff.training(Models.mlp(MlpConfig.of(2, 64, 16)).forward(), "loss", new Optimizer.Sgd(0.1, 0, 0));
        IntraOpPlanner.plan(small, DeviceMesh.parse(ClusterPresets.byName("cpu", 1), "2x2"), PlannerOptions.defaults());

        GptConfig c = new GptConfig(24, 16, 2048, 1024, 51200, 32);
        Graph g = Autodiff.training(Models.gpt(c).forward(), "loss", Optimizer.AdamW.withLr(1e-4));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "GPT: %d layers, hidden %d, %d heads, seq %d, vocab %d, batch %d; AdamW; %d graph nodes%n%n",
                c.layers(), c.hidden(), c.heads(), c.seq(), c.vocab(), c.batch(), g.size()));
        md.append("| mesh | configuration | strategies | groups | variables | edges | after elimination (vars / edges) "
                + "| CP-SAT booleans / constraints | build s | solve s | total wall s | process CPU s | status | objective s "
                + "| best manual s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (String shape : List.of("2x4", "4x8")) {
            DeviceMesh mesh = DeviceMesh.parse(ClusterPresets.byName("p3.16xlarge", 4), shape);
            double manual = Double.POSITIVE_INFINITY;
            for (PlanMethod m : List.of(PlanMethod.DATA_PARALLEL, PlanMethod.MEGATRON, PlanMethod.DP_MEGATRON)) {
                manual = Math.min(manual, m.plan(g, mesh, PlannerOptions.defaults()).objective());
            }
            PlannerOptions d = PlannerOptions.defaults();
            List<Object[]> configs = List.of(
                    new Object[] {"merging + tying (default)", d},
                    new Object[] {"merging + tying (default), again", d},
                    new Object[] {"tying, no merging", d.withFollowerMerging(false)},
                    new Object[] {"merging, no tying (60 s limit)", d.withTieRepeatedLayers(false)},
                    new Object[] {"no merging, no tying (60 s limit)", d.withTieRepeatedLayers(false).withFollowerMerging(false)});
            for (Object[] cfg : Boolean.getBoolean("bench.defaultOnly") ? configs.subList(0, 2) : configs) {
                Row r = run(shape, (String) cfg[0], g, mesh, (PlannerOptions) cfg[1]);
                IlpStats s = r.s();
                md.append(String.format(Locale.ROOT,
                        "| %s | %s | %d | %d | %d | %d | %d / %d | %d / %d | %.2f | %.2f | %.2f | %.2f | %s | %.4f | %.4f |%n",
                        r.mesh(), r.config(), s.strategies(), s.groups(), s.variables(), s.edges(), s.reducedVariables(),
                        s.reducedEdges(), s.boolVars(), s.constraints(), s.buildSeconds(), s.solveSeconds(), r.wall(), r.cpu(),
                        r.plan().status(), r.plan().objective(), manual));
                System.out.print(md.substring(md.lastIndexOf("\n| ", md.length() - 2) + 1));
            }
        }
        md.append(String.format(Locale.ROOT, "%nload average at the end: %s%n",
                Files.readString(Path.of("/proc/loadavg")).trim()));
        Path out = Path.of("target", "planner-ilp.md");
        Files.writeString(out, md.toString());
        System.out.println(md);
    }

    private static Row run(String mesh, String config, Graph g, DeviceMesh m, PlannerOptions o) {
        Duration cpu0 = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        long t0 = System.nanoTime();
        IntraOpPlan p = IntraOpPlanner.plan(g, m, o);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).minus(cpu0)).toNanos() / 1e9;
        return new Row(mesh, config, p.ilp().orElseThrow(), wall, cpu, p);
    }
}
