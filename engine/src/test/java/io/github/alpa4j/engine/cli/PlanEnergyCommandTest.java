package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan --pipeline --objective time|energy}: the energy of the plan, the choice within the slowdown, the frequency plan in the JSON. */
class PlanEnergyCommandTest {
    private static final String[] GPT = {"plan", "--pipeline", "--model", "gpt", "--layers", "4", "--hidden", "128", "--heads", "4",
        "--seq", "64", "--batch", "8", "--cluster", "hgx-h100", "--no-progress", "--time-limit", "10"};

    private static String[] gpt(String... more) {
        String[] a = new String[GPT.length + more.length];
        System.arraycopy(GPT, 0, a, 0, GPT.length);
        System.arraycopy(more, 0, a, GPT.length, more.length);
        return a;
    }

    @Test
    void energyObjectiveChoosesWithinTheSlowdownAndNeverBurnsMoreThanTheTimeOptimalPlan(@TempDir Path dir) throws Exception {
        Path timeJson = dir.resolve("time.json");
        MainTest.Run t = MainTest.run(gpt("--json", timeJson.toString()));
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("energy (DVFS model of H100-SXM5-80GB", "objective time", "tokens/J", "stage 0: forward");
        JsonNode time = new ObjectMapper().readTree(timeJson.toFile()).get("energy");
        assertThat(time.get("candidates")).hasSize(1);

        Path json = dir.resolve("energy.json");
        MainTest.Run e = MainTest.run(gpt("--objective", "energy", "--max-slowdown", "0.05", "--json", json.toString()));
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode energy = root.get("energy");
        assertThat(energy.get("objective").asText()).isEqualTo("energy");
        assertThat(energy.get("candidates").size()).isGreaterThan(1);
        assertThat(energy.get("iteration_seconds").asDouble()).isLessThanOrEqualTo(1.05 * energy.get("fastest_seconds").asDouble() + 1e-9);
        // the time-optimal plan with Perseus's clocks is one of the options: the choice is never worse
        assertThat(energy.get("joules_per_iteration").asDouble())
                .isLessThanOrEqualTo(energy.get("time_optimal_alone").get("joules_per_iteration").asDouble() + 1e-9);
        assertThat(energy.get("tokens_per_joule").asDouble())
                .isCloseTo(8 * 64 / energy.get("joules_per_iteration").asDouble(), within(1e-9));
        // the plan written is the one chosen, and it carries a clock for every instruction of every stage
        JsonNode chosen = null;
        for (JsonNode c : energy.get("candidates")) {
            if (c.get("chosen").asBoolean()) {
                chosen = c;
            }
        }
        assertThat(chosen).isNotNull();
        assertThat(root.get("stages").size()).isEqualTo(chosen.get("stages").asInt());
        assertThat(root.get("microbatches").asInt()).isEqualTo(chosen.get("microbatches").asInt());
        assertThat(energy.get("frequency_plan").size()).isEqualTo(chosen.get("stages").asInt());
        for (JsonNode s : energy.get("frequency_plan")) {
            assertThat(s.get("steps").size()).isEqualTo(2 * root.get("microbatches").asInt());
            for (JsonNode step : s.get("steps")) {
                assertThat(step.get("mhz").asInt()).isBetween(345, 1980);
            }
        }
        assertThat(e.out()).contains("chosen: ", "time-optimal plan alone (Perseus on it, same slowdown)");
    }

    @Test
    void badEnergyFlagsAreOneLineErrorsAndWriteNothing(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("plan.json");
        Files.writeString(json, "keep");
        for (String[] bad : new String[][] {
            gpt("--objective", "power", "--json", json.toString()),
            gpt("--objective", "energy", "--max-slowdown", "-0.1", "--json", json.toString()),
            gpt("--max-slowdown", "0.05", "--json", json.toString()),
            gpt("--objective", "energy", "--candidates", "0", "--json", json.toString()),
            gpt("--objective", "energy", "--gpu", "b200", "--json", json.toString()),
            {"plan", "--pipeline", "--model", "gpt", "--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "8", "--batch", "4",
                "--objective", "energy", "--json", json.toString()},
            {"plan", "--model", "gpt", "--layers", "2", "--hidden", "32", "--heads", "2", "--seq", "8", "--objective", "energy"}}) {
            MainTest.Run r = MainTest.run(bad);
            assertThat(r.code()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(Files.readString(json)).isEqualTo("keep");
        }
    }
}
