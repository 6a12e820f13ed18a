package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code bench-gpu --backend cpu}, the GPU check's dry run: the line scripts/gpu_check_table.py reads, and its refusals. */
class BenchGpuCommandTest {
    static final String[] TINY = {"--layers", "1", "--heads", "2", "--hidden", "16", "--seq", "8", "--vocab", "16", "--batch", "2",
        "--warmup", "1", "--steps", "2"};

    @Test
    void the_cpu_backend_prints_one_bench_line_with_step_time_and_losses() {
        MainTest.Run r = MainTest.run(concat("bench-gpu", "--backend", "cpu", "--precision", "fp32"));
        assertThat(r.code()).as(r.err()).isZero();
        String line = r.out().lines().filter(l -> l.startsWith("BENCH|")).collect(Collectors.joining("\n"));
        assertThat(line).startsWith("BENCH|engine|fp32|backend=cpu|").doesNotContain("\n");
        Map<String, Double> kv = Arrays.stream(line.split("\\|")).skip(4).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> Double.parseDouble(p[1])));
        assertThat(kv).containsOnlyKeys("tokens_per_s", "step_ms", "first_loss", "last_loss");
        assertThat(kv.get("tokens_per_s")).isPositive();
        // tokens/s is the batch's 2 x 8 tokens over the median step (printed to 0.01 ms)
        double ms = kv.get("step_ms");
        assertThat(kv.get("tokens_per_s")).isBetween(16e3 / (ms + 0.005) - 0.05, 16e3 / Math.max(ms - 0.005, 1e-9) + 0.05);
        assertThat(kv.get("first_loss")).isCloseTo(Math.log(16), org.assertj.core.api.Assertions.within(0.5));
    }

    @Test
    void the_cpu_backend_refuses_reduced_precision_in_one_line() {
        MainTest.Run r = MainTest.run(concat("bench-gpu", "--backend", "cpu", "--precision", "fp32,bf16"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: --backend cpu multiplies in fp32 only: use --precision fp32");
    }

    private static String[] concat(String... head) {
        String[] all = Arrays.copyOf(head, head.length + TINY.length);
        System.arraycopy(TINY, 0, all, head.length, TINY.length);
        return all;
    }
}
