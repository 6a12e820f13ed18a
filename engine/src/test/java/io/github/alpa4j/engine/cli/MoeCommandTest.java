package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --model moe} and {@code --plan ep-dp} from the command line. */
class MoeCommandTest {
    static final String[] MOE = {"--model", "moe", "--experts", "4", "--layers", "2", "--hidden", "32", "--heads", "4", "--seq", "16",
        "--vocab", "16", "--batch", "8"};

    static String[] args(String[] head, String... tail) {
        String[] a = new String[head.length + MOE.length + tail.length];
        System.arraycopy(head, 0, a, 0, head.length);
        System.arraycopy(MOE, 0, a, head.length, MOE.length);
        System.arraycopy(tail, 0, a, head.length + MOE.length, tail.length);
        return a;
    }

    @Test
    void trainsOnOneDeviceAndUnderEpDpWithTheSameLosses(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one.json");
        Path ep = dir.resolve("ep.json");
        MainTest.Run r = MainTest.run(args(new String[] {"train"}, "--steps", "5", "--expert-capacity", "0.75", "--json", one.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        r = MainTest.run(args(new String[] {"train"}, "--steps", "5", "--expert-capacity", "0.75", "--mesh", "1x4", "--plan", "ep-dp",
                "--json", ep.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(one.toFile()).get("steps");
        JsonNode b = new ObjectMapper().readTree(ep.toFile()).get("steps");
        assertThat(b).hasSize(5);
        for (int s = 0; s < 5; s++) {
            assertThat(b.get(s).get("loss").asDouble()).isCloseTo(a.get(s).get("loss").asDouble(),
                    org.assertj.core.data.Percentage.withPercentage(1e-3));
        }
    }

    @Test
    void epDpPlanSplitsTheExpertsAndExchangesTokensByAllToAll(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("plan.json");
        MainTest.Run r = MainTest.run(args(new String[] {"plan"}, "--mesh", "1x4", "--plan", "ep-dp", "--json", json.toString()));
        assertThat(r.code()).as(r.err()).isZero();
        String plan = Files.readString(json);
        assertThat(plan).contains("all-to-all");
        assertThat(r.out()).containsPattern("experts/wi +parameter +f32\\[4, 32, 128\\] +S1RR");
    }

    @Test
    void badExpertFlagsAreRefusedInOneLine() {
        MainTest.Run r = MainTest.run(args(new String[] {"train"}, "--steps", "1", "--expert-group", "7"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: --expert-group 7 must divide the batch's tokens (batch 8 x seq 16 = 128)");
        r = MainTest.run("train", "--steps", "1", "--experts", "4");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: --experts does nothing with --model gpt (it sizes a mixture of experts: --model moe)");
    }
}
