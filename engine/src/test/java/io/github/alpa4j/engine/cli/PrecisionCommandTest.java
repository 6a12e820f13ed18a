package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --precision} from the command line: the graph's casts, planned and costed, and a mixed-precision run. */
class PrecisionCommandTest {
    private static final String[] GPT = {"--model", "gpt", "--layers", "2", "--hidden", "256", "--heads", "4", "--seq", "128",
        "--vocab", "512", "--batch", "8"};

    static JsonNode plan(Path dir, String precision) throws Exception {
        Path json = dir.resolve(precision + ".json");
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", "hgx-h100", "--mesh", "1x2", "--precision", precision,
                "--json", json.toString()));
        args.addAll(List.of(GPT));
        MainTest.Run r = MainTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void bf16PlansCastsAndCostsTheTensorCoreRateAndHalfTheActivations(@TempDir Path dir) throws Exception {
        JsonNode fp32 = plan(dir, "fp32");
        JsonNode bf16 = plan(dir, "bf16");
        List<JsonNode> casts = new ArrayList<>();
        bf16.get("nodes").forEach(n -> {
            if (n.get("op").asText().startsWith("cast_")) {
                casts.add(n);
            }
        });
        // every parameter is cast down where it is read, the logits back up, and each gradient of a cast back to f32
        assertThat(casts).hasSizeGreaterThan(2 * 27);
        assertThat(casts).allSatisfy(n -> assertThat(n.get("strategy").asText()).isNotBlank());
        fp32.get("nodes").forEach(n -> assertThat(n.get("op").asText()).doesNotStartWith("cast_"));
        // H100: 989 TFLOP/s in bf16 against 67 in f32 for the products; the casts add memory-bound work
        assertThat(matmulSeconds(bf16)).isLessThan(0.5 * matmulSeconds(fp32));
        assertThat(bf16.get("compute_time").asDouble()).isLessThan(fp32.get("compute_time").asDouble());
        assertThat(bf16.get("peak_memory_bytes").asLong()).isLessThan(fp32.get("peak_memory_bytes").asLong());
    }

    static double matmulSeconds(JsonNode plan) {
        double s = 0;
        for (JsonNode n : plan.get("nodes")) {
            if (n.get("op").asText().equals("matmul")) {
                s += n.get("compute_cost").asDouble();
            }
        }
        return s;
    }

    @Test
    void fp16ReportsItsLossScaleAndSkippedStepsPerStep(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        MainTest.Run r = MainTest.run("train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8",
                "--batch", "4", "--steps", "3", "--precision", "fp16", "--loss-scale", "1e30", "--log-every", "1", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(overflow: update skipped)", "steps skipped for an fp16 overflow");
        JsonNode steps = new ObjectMapper().readTree(json.toFile()).get("steps");
        assertThat(steps.get(0).get("loss_scale").asDouble()).isEqualTo(1e30);
        assertThat(steps.get(0).get("skipped").asBoolean()).isTrue();
        assertThat(steps.get(1).get("loss_scale").asDouble()).isEqualTo(5e29);
    }

    @Test
    void lossScaleFlagsWithoutFp16AreRefusedInOneLine() {
        MainTest.Run r = MainTest.run("train", "--steps", "1", "--loss-scale", "128");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: --loss-scale and --loss-scale-growth-interval apply to --precision fp16 only");
    }

    @Test
    void trainTakesBf16OnTheCpuMeshAndSaysSoInItsJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        MainTest.Run r = MainTest.run("train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8",
                "--batch", "4", "--steps", "3", "--mesh", "1x2", "--precision", "bf16", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("config").get("precision").asText()).isEqualTo("bf16");
        assertThat(j.get("steps")).hasSize(3);
    }
}
