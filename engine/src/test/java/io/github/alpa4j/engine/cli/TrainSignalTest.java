package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.dist.JavaCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGTERM or SIGINT (Ctrl-C) to a training JVM: it finishes its step, writes a checkpoint and the
 * metrics so far, says so in one line and exits 143 or 130; the run resumes from that checkpoint.
 */
class TrainSignalTest {
    static final List<String> RUN = List.of("train", "--layers", "1", "--hidden", "16", "--heads", "2", "--seq", "8", "--vocab", "8",
            "--batch", "4", "--no-progress", "--log-every", "1");

    @ParameterizedTest
    @CsvSource({"TERM, SIGTERM, 143", "INT, SIGINT, 130"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only
    void aSignalStopsBetweenStepsWithACheckpointAndTheMetrics(String signal, String name, int code, @TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        Path json = dir.resolve("m.json");
        ProcessBuilder pb = new ProcessBuilder(JavaCommand.cli().with(TrainResumeTest.concat(RUN, "--steps", "1000000",
                "--checkpoint-dir", ck.toString(), "--checkpoint-every", "100000", "--json", json.toString())));
        pb.redirectError(dir.resolve("err.txt").toFile()).redirectOutput(dir.resolve("out.txt").toFile());
        Process p = pb.start();
        while (!Files.exists(json) && p.isAlive()) {   // the metrics file appears at the first log line
            Thread.sleep(50);
        }
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor()).as(Files.readString(dir.resolve("err.txt"))).isEqualTo(code);
        List<String> err = Files.readAllLines(dir.resolve("err.txt"));
        assertThat(err).singleElement().asString().startsWith("alpa4j: interrupted by " + name + " after ").contains("checkpoint " + ck,
                "metrics " + json, "--resume " + ck);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("status").asText()).isEqualTo("interrupted");
        int done = j.get("steps").size();
        assertThat(ck.resolve(String.format("step-%08d", done)).resolve("manifest.json")).exists();

        Path resumed = dir.resolve("r.json");
        MainTest.Run r = MainTest.run(TrainResumeTest.concat(RUN, "--steps", String.valueOf(done + 2), "--resume", ck.toString(),
                "--json", resumed.toString()).toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        List<Double> before = TrainResumeTest.losses(json);
        assertThat(TrainResumeTest.losses(resumed).subList(0, done)).isEqualTo(before);
    }
}
