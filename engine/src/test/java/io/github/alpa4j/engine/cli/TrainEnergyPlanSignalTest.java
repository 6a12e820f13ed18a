package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.dist.JavaCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIGTERM or SIGINT to a training JVM whose energy plan is deployed: the run stops after its step, closes the plan
 * (the controllers' clocks back, here a dry run that set none) and writes the metrics with the plan in force, in one
 * line and exit 143 or 130, as a run without a plan does.
 */
class TrainEnergyPlanSignalTest {
    @ParameterizedTest
    @CsvSource({"TERM, SIGTERM, 143", "INT, SIGINT, 130"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only
    void aSignalAfterTheClocksAreDeployedEndsTheRunWithThePlanInItsMetrics(String signal, String name, int code, @TempDir Path dir)
            throws Exception {
        Path json = dir.resolve("m.json");
        Path out = dir.resolve("out.txt");
        List<String> args = new ArrayList<>(List.of("train", "--pipeline", "--model", "gpt", "--layers", "4", "--hidden", "32", "--heads",
                "2", "--seq", "8", "--vocab", "16", "--batch", "8", "--microbatches", "4", "--plan", "megatron:dp=1,tp=1,pp=4", "--mesh",
                "1x4", "--no-progress", "--log-every", "1", "--steps", "1000000", "--energy-plan", "auto", "--gpu", "h100",
                "--json", json.toString()));
        ProcessBuilder pb = new ProcessBuilder(JavaCommand.cli().with(args));
        pb.redirectError(dir.resolve("err.txt").toFile()).redirectOutput(out.toFile());
        Process p = pb.start();
        while (p.isAlive() && !(Files.exists(out) && Files.readString(out).contains("energy plan: clocks deployed from step"))) {
            Thread.sleep(50);
        }
        Thread.sleep(300); // a few steps under the plan
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor()).as(Files.readString(dir.resolve("err.txt"))).isEqualTo(code);
        assertThat(Files.readAllLines(dir.resolve("err.txt"))).singleElement().asString()
                .startsWith("alpa4j: interrupted by " + name + " after ").contains("metrics " + json);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("status").asText()).isEqualTo("interrupted");
        JsonNode e = j.get("energy_plan");
        assertThat(e).as("the metrics carry the plan in force when the signal came").isNotNull();
        assertThat(e.get("deployed").asBoolean()).isTrue();
        assertThat(e.get("clocks").asText()).startsWith("dry run");
        assertThat(e.get("stages")).hasSize(4);
    }
}
