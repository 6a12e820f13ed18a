package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --remat} from the command line. */
class RematCommandTest {

    static JsonNode plan(Path dir, String remat) throws Exception {
        Path json = dir.resolve(remat + ".json");
        MainTest.Run r = MainTest.run("plan", "--model", "gpt", "--layers", "2", "--seq", "64", "--batch", "16", "--mesh", "1x2",
                "--plan", "dp", "--remat", remat, "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(json.toFile());
    }

    @Test
    void layersRecomputesEachBlockForLessMemoryAndMoreTime(@TempDir Path dir) throws Exception {
        JsonNode keep = plan(dir, "none");
        JsonNode recompute = plan(dir, "layers");
        long copies = 0;
        for (JsonNode n : recompute.get("nodes")) {
            if (n.get("name").asText().endsWith("/recompute")) {
                copies++;
                assertThat(n.get("phase").asText()).isEqualTo("backward");
                assertThat(n.get("name").asText()).startsWith("block");
            }
        }
        assertThat(copies).isPositive();
        assertThat(recompute.get("peak_memory_bytes").asLong()).isLessThan(keep.get("peak_memory_bytes").asLong());
        assertThat(recompute.get("compute_time").asDouble()).isGreaterThan(keep.get("compute_time").asDouble());
    }

    @Test
    void autoRecomputesOnlyWhenThePlanDoesNotFitOtherwise(@TempDir Path dir) throws Exception {
        JsonNode roomy = plan(dir, "auto");
        assertThat(roomy.get("nodes").findValuesAsText("name")).noneMatch(n -> n.endsWith("/recompute"));
    }

    @Test
    void anUnknownModeIsRefusedInOneLine() {
        MainTest.Run r = MainTest.run("train", "--steps", "1", "--remat", "sometimes");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("alpa4j: unknown rematerialisation 'sometimes'; use one of [none, layers, auto] (--remat)");
    }
}
