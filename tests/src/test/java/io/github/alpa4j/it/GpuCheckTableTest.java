package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.runtime.GpuStepBenchmark;
import io.github.alpa4j.engine.runtime.MatmulPrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU run's side of scripts/gpu_check_table.py, which the dry run cannot reach: what the parts leave on a
 * GPU machine (the benchmark's own BENCH lines, PyTorch's, a JUnit report, the test feed of a part stopped by
 * its time limit, train reports, nvidia-smi's CSV) and the verdicts the table draws from them.
 */
class GpuCheckTableTest {
    static final long WINDOW_START = 1_800_000_000_000L;

    @TempDir
    Path work;
    @TempDir
    Path out;

    @BeforeEach
    void aGpuRunWhoseEnginePartTimedOut() throws IOException {
        write(work.resolve("limits.tsv"), "setup\t20\ndoctor\t15\ntests-native\t65\ntests-engine\t130\nbench\t50\npytorch\t35\n"
                + "pipeline\t20\npipeline-cpu\t20\nenergy\t45\n");
        write(work.resolve("parts.tsv"), "setup\tok\t0\t3\t20\t\ndoctor\tok\t0\t2\t15\t\ntests-native\tok\t0\t40\t65\t\n"
                + "tests-engine\ttimeout\t124\t130\t130\t\nbench\tok\t0\t30\t50\t\npytorch\tok\t0\t25\t35\t\n"
                + "pipeline\tok\t0\t9\t20\t\npipeline-cpu\tok\t0\t8\t20\t\nenergy\tok\t0\t30\t45\t\n");
        write(work.resolve("card.txt"), "NVIDIA H100 80GB HBM3, 580.65.06, 81559 MiB, 700.00 W, 1980 MHz\n");
        write(work.resolve("commit.txt"), "0123456789ab\n");
        write(out.resolve("gpu-check.log"), "=== part doctor: java -jar alpa4j.jar doctor\nverdict: ready: 1 GPU: NVIDIA H100 80GB HBM3 (sm_90),"
                + " every CUDA library loaded\n");
        write(work.resolve("junit-tests-native/TEST-junit-jupiter.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="4" skipped="0" failures="0" errors="0">
                <testcase name="matches_the_cpu_twin(String, Case)[1]" classname="io.github.alpa4j.kernels.cuda.CudaKernelsEquivalenceTest" time="0.1"/>
                <testcase name="matches_the_cpu_twin(String, Case)[2]" classname="io.github.alpa4j.kernels.cuda.CudaKernelsEquivalenceTest" time="0.1"/>
                <testcase name="matches_the_cpu_twin(String, Case)[3]" classname="io.github.alpa4j.kernels.cuda.CudaKernelsEquivalenceTest" time="0.1"/>
                <testcase name="reads_names_energy_power_and_clocks()" classname="io.github.alpa4j.cuda.NvmlGpuTest" time="0.2"/>
                </testsuite>
                """);
        // the engine part was stopped: no report, only the test feed of what finished
        write(out.resolve("tests.log"), """
                === part tests-native: java -jar junit-platform-console-standalone.jar execute
                === part tests-engine: java -jar junit-platform-console-standalone.jar execute
                GPUCHECK|gpt-foundation 1 GPU fp32|max_rel_loss_diff|3.10e-07
                JUnit Jupiter > CudaBackendGpuTest > foundation_gpt_trains_as_on_the_cpu() :: SUCCESSFUL
                GPUCHECK|gpt-foundation 1 GPU tf32|max_rel_loss_diff|0.00210
                JUnit Jupiter > CudaBackendGpuTest > reduced_precision_matmuls_stay_near_the_fp32_losses(MatmulPrecision) > [1] TF32 :: SUCCESSFUL
                JUnit Jupiter > CudaBackendGpuTest > reduced_precision_matmuls_stay_near_the_fp32_losses(MatmulPrecision) > [2] BF16 :: SUCCESSFUL
                JUnit Jupiter > CudaBackendGpuTest > reduced_precision_matmuls_stay_near_the_fp32_losses(MatmulPrecision) :: SUCCESSFUL
                JUnit Jupiter > CudaMeshGpuTest > twelve_layer_gpt_on_a_2x2_mesh_trains_as_on_one_gpu() :: FAILED
                \torg.opentest4j.AssertionFailedError: [losses [7.1, 6.9] vs one GPU [7.1, 6.8]] expected: < 1.0E-4 but was: 0.0147
                \t\tat io.github.alpa4j.engine.runtime.CudaMeshGpuTest.twelve_layer(CudaMeshGpuTest.java:60)
                """);
        List<String> bench = new ArrayList<>(List.of("=== part bench: java -cp alpa4j.jar BenchGpuCommand"));
        double[] stepMs = {400, 200, 150};
        MatmulPrecision[] ps = {MatmulPrecision.FP32, MatmulPrecision.TF32, MatmulPrecision.BF16};
        for (int i = 0; i < 3; i++) {
            bench.add(new GpuStepBenchmark.Result(ps[i], 10, stepMs[i], 8192 / (stepMs[i] * 1e-3), 7.085, 6.9, 150, 4.2e12,
                    stepMs[i] * 0.6, stepMs[i] * 0.5, 50.0 * (i + 1), 0).line());
        }
        bench.add("=== part pytorch: python3 pytorch_gpt.py");
        for (String prec : List.of("fp32", "tf32", "bf16")) {
            for (String attention : List.of("math", "sdpa")) {
                bench.add("BENCH|pytorch|" + prec + "|attention=" + attention + "|tokens_per_s=25600.0|step_ms=320.00|first_loss=7.08|last_loss=6.9");
            }
        }
        write(out.resolve("bench.log"), String.join("\n", bench) + "\n");
        write(work.resolve("pipeline.json"), trainJson("cuda fp32 on NVIDIA H100", 1 + 2e-7));
        write(work.resolve("pipeline-cpu.json"), trainJson("simulated pipeline", 1));
        write(out.resolve("train.log"), "=== part pipeline: java -jar alpa4j.jar train\n=== part energy: java -jar alpa4j.jar train\n");
    }

    @Test
    void a_gpu_run_gets_its_verdicts_and_keeps_what_a_stopped_part_finished() throws Exception {
        energy(12_000, 300, 290);
        Result r = render();
        assertThat(r.code()).as("a failed and a timed-out row: exit code 3").isEqualTo(3);
        assertThat(r.table()).contains("card: NVIDIA H100 80GB HBM3, driver 580.65.06, 81559 MiB, power limit 700.00 W, max SM clock 1980 MHz",
                "commit 0123456789ab");
        Map<String, List<String>> rows = GpuCheckDryRunTest.rows(r.table());
        assertThat(GpuCheckDryRunTest.row(rows, "doctor")).containsExactly("PASS", "ready: 1 GPU: NVIDIA H100 80GB HBM3 (sm_90), every CUDA library loaded");
        assertThat(GpuCheckDryRunTest.row(rows, "kernels vs")).containsExactly("PASS", "3 passed");
        assertThat(GpuCheckDryRunTest.row(rows, "other GPU tests: NvmlGpuTest")).containsExactly("PASS", "1 passed");
        assertThat(GpuCheckDryRunTest.row(rows, "losses, foundation GPT, 1 GPU")).containsExactly("PASS", "1 passed; max_rel_loss_diff 3.10e-07");
        assertThat(GpuCheckDryRunTest.row(rows, "losses, tf32 and bf16")).containsExactly("PASS", "2 passed; max_rel_loss_diff 0.00210");
        assertThat(GpuCheckDryRunTest.row(rows, "losses, 12-layer GPT, 2x2 mesh").get(0)).isEqualTo("FAIL");
        assertThat(GpuCheckDryRunTest.row(rows, "losses, 12-layer GPT, 2x2 mesh").get(1))
                .isEqualTo("1 of 1 failed: twelve_layer_gpt_on_a_2x2_mesh_trains_as_on_one_gpu(): [losses [7.1, 6.9] vs one GPU [7.1, 6.8]] "
                        + "expected: < 1.0E-4 but was: 0.0147");
        assertThat(GpuCheckDryRunTest.row(rows, "no cudaMalloc")).containsExactly("TIMEOUT",
                "part tests-engine was stopped after 130 s (limit 130 s) before this finished");
        assertThat(GpuCheckDryRunTest.row(rows, "pipeline").get(0)).isEqualTo("PASS");
        assertThat(GpuCheckDryRunTest.row(rows, "pipeline").get(1)).contains("3 steps", "max relative difference 2.00e-07", "cuda fp32 on NVIDIA H100");
        assertThat(GpuCheckDryRunTest.row(rows, "per-stage energy plan").get(0)).isEqualTo("PASS");
        assertThat(GpuCheckDryRunTest.row(rows, "per-stage energy plan").get(1)).contains("NVML (GPU 0)", "dry run (reported, not set)",
                "planned 12.3 ms, measured 12.5 ms per iteration", "saving 6.0 % (the model)",
                "stage 0: measured 3.1 J/iter (forward 1.2, backward 1.9), model 2.65 at max clock, 2.16 planned");
        assertThat(GpuCheckDryRunTest.row(rows, "throughput fp32").get(0)).isEqualTo("0.80x PyTorch");
        assertThat(GpuCheckDryRunTest.row(rows, "throughput bf16").get(0)).isEqualTo("2.13x PyTorch");
        assertThat(GpuCheckDryRunTest.row(rows, "throughput tf32").get(1)).contains("alpa4j 40,960 tokens/s (step 200.0 ms)",
                "PyTorch eager 25,600 (same attention), 25,600 (SDPA)");
        // 4.2 TFLOP in 0.6 x 400 ms = 17.5 TFLOP/s, against 50 TFLOP/s
        assertThat(GpuCheckDryRunTest.row(rows, "matmuls fp32").get(0)).isEqualTo("35% of peak");
        assertThat(GpuCheckDryRunTest.row(rows, "matmuls fp32").get(1)).contains("150 products, 4,200 GFLOP per step: 17.5 TFLOP/s");
        assertThat(GpuCheckDryRunTest.row(rows, "energy").get(0)).isEqualTo("PASS");
        assertThat(GpuCheckDryRunTest.row(rows, "energy").get(1)).contains("NVML 300.0 W", "nvidia-smi power.draw.instant [W] 290.0 W",
                "(120 samples)", "over the same 12.0 s: +3.4%");
    }

    @Test
    void energy_fails_outside_10_percent_or_on_a_window_under_10_s() throws Exception {
        energy(12_000, 300, 260);
        assertThat(GpuCheckDryRunTest.row(GpuCheckDryRunTest.rows(render().table()), "energy").get(0)).isEqualTo("FAIL");
        energy(8_000, 300, 300);
        List<String> row = GpuCheckDryRunTest.row(GpuCheckDryRunTest.rows(render().table()), "energy");
        assertThat(row.get(0)).isEqualTo("FAIL");
        assertThat(row.get(1)).contains("over the same 8.0 s: +0.0%");
    }

    @Test
    void pipeline_losses_apart_by_more_than_1e_4_fail() throws Exception {
        write(work.resolve("pipeline.json"), trainJson("cuda fp32", 1 + 2e-4));
        energy(12_000, 300, 300);
        assertThat(GpuCheckDryRunTest.row(GpuCheckDryRunTest.rows(render().table()), "pipeline").get(0)).isEqualTo("FAIL");
    }

    /** NVML's average over [start, start + windowMs]; nvidia-smi's samples every 100 ms, idle (60 W) outside the window. */
    private void energy(long windowMs, double nvmlWatts, double smiWatts) throws IOException {
        write(work.resolve("energy.json"), String.format(Locale.ROOT, "{\"steps\": [{\"loss\": 7}, {\"loss\": 6.9}, {\"loss\": 6.8}],"
                + " \"energy_j_per_iteration\": %.1f, \"avg_power_w\": %.1f, \"energy_window_unix_ms\": [%d, %d]}",
                nvmlWatts * 0.4, nvmlWatts, WINDOW_START, WINDOW_START + windowMs));
        DateTimeFormatter local = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
        StringBuilder csv = new StringBuilder("timestamp, power.draw.instant [W], clocks.sm [MHz], utilization.gpu [%]\n");
        for (long t = WINDOW_START - 2000 + 50; t < WINDOW_START + windowMs + 2000; t += 100) {
            boolean inside = t >= WINDOW_START && t <= WINDOW_START + windowMs;
            csv.append(local.format(Instant.ofEpochMilli(t))).append(", ").append(inside ? smiWatts : 60.0).append(", 1980, 100\n");
        }
        write(out.resolve("smi-power.csv"), csv.toString());
    }

    private static String trainJson(String backend, double factor) {
        return String.format(Locale.ROOT, "{\"backend\": \"%s\", \"steps\": [{\"loss\": %.9f}, {\"loss\": %.9f}, {\"loss\": %.9f}], %s}",
                backend, 5.5 * factor, 5.4, 5.3, ENERGY_PLAN);
    }

    /** What train --energy-plan auto writes of a read-only run: two stages measured by NVML, deployed as a dry run. */
    private static final String ENERGY_PLAN = """
            "energy_plan": {"deployed": true, "basis": "profiled at the current clock", "energy_counters": "NVML (GPU 0)",
             "clocks": "dry run (reported, not set)", "planned_iteration_seconds": 0.0123, "measured_iteration_seconds": 0.0125,
             "saving_percent": 6.0, "saving_basis": "the model", "stages": [
              {"stage": 0, "measured_joules": 3.1, "measured_forward_joules": 1.2, "measured_backward_joules": 1.9,
               "max_clock_joules": 2.65, "predicted_joules": 2.16},
              {"stage": 1, "measured_joules": 4.2, "measured_forward_joules": 1.6, "measured_backward_joules": 2.6,
               "max_clock_joules": 5.47, "predicted_joules": 5.47}]}""";

    record Result(int code, String table) {
    }

    private Result render() throws Exception {
        Process p = new ProcessBuilder("python3", GpuCheckDryRunTest.ROOT.resolve("scripts/gpu_check_table.py").toString(), "--work",
                work.toString(), "--out", out.toString(), "--mode", "gpu", "--seconds", "380").redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(said).as("nothing printed without --print").isEmpty();
        return new Result(p.exitValue(), Files.readString(out.resolve("gpu-check.md")));
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
