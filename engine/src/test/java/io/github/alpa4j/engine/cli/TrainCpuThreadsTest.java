package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --cpu-threads}: the single CPU device's threads, recorded in the metrics; refused where devices run one thread each. */
class TrainCpuThreadsTest {
    @Test
    void theThreadsOfOneDeviceAreRecorded(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("m.json");
        MainTest.Run r = MainTest.run("train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--batch", "4",
                "--steps", "2", "--no-progress", "--cpu-threads", "2", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode config = new ObjectMapper().readTree(json.toFile()).get("config");
        assertThat(config.get("cpu_threads").asInt()).isEqualTo(2);
    }

    @Test
    void aMeshOrThreadsOutOfRangeAreRefusedInOneLine() {
        MainTest.Run mesh = MainTest.run("train", "--steps", "1", "--mesh", "1x2", "--plan", "dp", "--cpu-threads", "2");
        assertThat(mesh.code()).isEqualTo(2);
        assertThat(mesh.err()).startsWith("alpa4j: --cpu-threads sets the threads of one CPU device");
        assertThat(mesh.err().strip().lines().count()).as(mesh.err()).isEqualTo(1);
        MainTest.Run zero = MainTest.run("train", "--steps", "1", "--cpu-threads", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("alpa4j: --cpu-threads must be positive, got 0");
        MainTest.Run many = MainTest.run("train", "--steps", "1", "--cpu-threads", "1000000");
        assertThat(many.code()).isEqualTo(2);
        assertThat(many.err().strip()).isEqualTo("alpa4j: --cpu-threads must be at most 1024, got 1000000");
    }
}
