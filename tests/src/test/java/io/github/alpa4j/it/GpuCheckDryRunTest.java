package io.github.alpa4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/gpu-check.sh --dry-run} end to end: the same parts, table and files as on a GPU machine,
 * with the CPU backend where the GPU would be, so the script's bugs surface before a GPU is lent. Runs from
 * the build tree the reactor has just made (engine's shaded jar, every module's test classes, the JUnit
 * console launcher this module copies).
 */
class GpuCheckDryRunTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** Rows the GPU run has, each with a value or the reason it has none. */
    static final List<String> CHECKS = List.of("setup", "doctor", "kernels vs their CPU twins",
            "losses, foundation GPT, 1 GPU fp32 vs CPU", "losses, 12-layer GPT, 1 GPU fp32 vs stored CPU",
            "losses, foundation GPT, 2x2 mesh on 1 GPU vs CPU", "losses, 12-layer GPT, 2x2 mesh on 1 GPU vs 1 GPU",
            "losses, tf32 and bf16 matmuls near fp32", "no cudaMalloc in a step", "pipeline: 2 stages x 2 logical devices",
            "throughput fp32 beside PyTorch eager", "throughput tf32 beside PyTorch eager", "throughput bf16 beside PyTorch eager",
            "matmuls fp32 vs the card's peak", "matmuls tf32 vs the card's peak", "matmuls bf16 vs the card's peak",
            "energy: NVML counter vs nvidia-smi power");
    static final List<String> PARTS = List.of("setup", "doctor", "tests-native", "tests-engine", "bench", "pytorch", "pipeline",
            "pipeline-cpu", "energy");

    @Test
    void the_dry_run_fills_every_row_and_writes_the_same_files_as_a_gpu_run(@TempDir Path out, @TempDir Path scratch) throws Exception {
        Path log = scratch.resolve("stdout.txt");
        Process p = start(out, log);
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).as("the script ends (it bounds its own time)").isTrue();
        String stdout = Files.readString(log);
        assertThat(p.exitValue()).as(stdout).isZero();

        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("gpu-check.md", "gpu-check.log",
                    "tests.log", "junit.xml", "bench.log", "train.log", "train.json", "smi-power.csv");
        }
        String table = Files.readString(out.resolve("gpu-check.md"));
        assertThat(stdout).as("the table is printed too").contains(table.strip());
        assertThat(table).contains("## alpa4j GPU check (dry run), ", "card: none, dry run on ", "commit ");

        Map<String, List<String>> rows = rows(table);
        for (String check : CHECKS) {
            assertThat(rows.keySet()).as("a row for %s", check).anyMatch(c -> c.startsWith(check));
        }
        rows.forEach((check, cells) -> {
            assertThat(cells.get(0)).as("result of %s: %s", check, cells).isIn("PASS", "PASS (CPU)", "SKIP", "NEEDS GPU",
                    "NO GPU (dry run)", "CPU (dry run)");
            assertThat(cells.get(1)).as("what %s measured, or why it could not", check).isNotBlank();
        });
        assertThat(row(rows, "pipeline").get(0)).isEqualTo("PASS (CPU)");
        assertThat(row(rows, "pipeline").get(1)).contains("5 steps", "max relative difference 0.00e+00");
        assertThat(row(rows, "throughput fp32").get(1)).contains("alpa4j on the CPU backend", "PyTorch");
        assertThat(row(rows, "kernels vs").get(1)).startsWith("needs a GPU: ");
        assertThat(row(rows, "energy").get(1)).contains("--energy needs NVML", "nvidia-smi");

        Map<String, List<String>> parts = parts(table);
        assertThat(parts.keySet()).containsExactlyElementsOf(PARTS);
        int sum = parts.values().stream().mapToInt(c -> Integer.parseInt(c.get(0))).sum();
        assertThat(sum).as("the parts' limits on a GPU add up to under the check's 420 s").isLessThan(420);
        parts.forEach((part, cells) -> assertThat(cells.get(3)).as(part).isIn("ok", "failed"));
        assertThat(parts.get("pytorch").get(2)).as("pytorch_gpt.py refuses in one line: no PyTorch here").isEqualTo("2");
        assertThat(Files.readString(out.resolve("junit.xml"))).contains("<testsuite name=\"tests-native\"", "<testsuite name=\"tests-engine\"");
        assertThat(Files.readString(out.resolve("train.json"))).contains("\"pipeline\"", "\"pipeline-cpu\"");
    }

    @Test
    void a_signal_mid_run_still_prints_the_table_with_every_row(@TempDir Path out, @TempDir Path scratch) throws Exception {
        Path log = scratch.resolve("stdout.txt");
        Process p = start(out, log);
        Path tests = out.resolve("tests.log");
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!(Files.exists(tests) && Files.readString(tests).contains("=== part tests-native: ")) && p.isAlive()
                && System.nanoTime() < giveUp) {
            Thread.sleep(50);
        }
        p.destroy(); // SIGTERM, as a device tool that runs out of time would send, while the first test part runs
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String stdout = Files.readString(log);
        assertThat(p.exitValue()).as(stdout).isEqualTo(130);

        Path table = out.resolve("gpu-check.md");
        Map<String, List<String>> rows = rows(Files.readString(table));
        assertThat(stdout).contains("| doctor | NO GPU (dry run) |");
        for (String check : CHECKS) {
            assertThat(rows.keySet()).as("a row for %s", check).anyMatch(c -> c.startsWith(check));
        }
        assertThat(row(rows, "doctor").get(0)).isEqualTo("NO GPU (dry run)");
        assertThat(row(rows, "energy").get(0)).isEqualTo("NOT RUN");
        assertThat(row(rows, "energy").get(1))
                .startsWith("the check ended before part energy: the check was stopped by SIGTERM during tests-native after ");
        assertThat(row(rows, "kernels vs").get(0)).isEqualTo("STOPPED");
        assertThat(parts(Files.readString(table)).get("tests-native").get(3)).isEqualTo("interrupted: SIGTERM");
    }

    private static Process start(Path out, Path log) throws IOException {
        Path script = ROOT.resolve("scripts/gpu-check.sh");
        assertThat(script).exists();
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--dry-run").directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OUT", out.toString());
        return pb.start();
    }

    /** {check: [result, numbers]} of the main table. */
    static Map<String, List<String>> rows(String table) {
        return cells(table, "| check | result | numbers |");
    }

    /** {part: [limit, took, exit code, state]} of the parts table (its last line, "all", left out). */
    static Map<String, List<String>> parts(String table) {
        Map<String, List<String>> parts = cells(table, "| part | limit s");
        parts.remove("all");
        return parts;
    }

    static List<String> row(Map<String, List<String>> rows, String prefix) {
        return rows.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).findFirst().orElseThrow().getValue();
    }

    private static Map<String, List<String>> cells(String table, String header) {
        List<String> lines = table.lines().toList();
        int at = 0;
        while (at < lines.size() && !lines.get(at).startsWith(header)) {
            at++;
        }
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> c = Stream.of(lines.get(i).split("\\|", -1)).skip(1).map(String::strip).collect(Collectors.toList());
            out.put(c.get(0), c.subList(1, c.size() - 1));
        }
        return out;
    }
}
