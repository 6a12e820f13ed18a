package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code alpa4j plan} for pipelines: automatic and Megatron plans, stages, Gantt chart, JSON, and bad input. */
class PlanStagesCommandTest {
    static MainTest.Run run(String... args) {
        return MainTest.run(args);
    }

    @Test
    void automaticPipelinePrintsStagesAndScheduleAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("pipeline.json");
        MainTest.Run r = run("plan", "--pipeline", "--microbatches", "4", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pipeline plan:   auto", "4 microbatches (1f1b) on cpu x 1", "stage layers", "iteration time:",
                "T* = sum of t_i + (B-1) x max t_i", "planning:", "schedule (1f1b)", "stage 0   |F0");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("format").asText()).isEqualTo("alpa4j-pipeline-plan");
        assertThat(j.get("microbatches").asInt()).isEqualTo(4);
        int devices = 0;
        for (JsonNode s : j.get("stages")) {
            devices += s.get("plan").get("mesh").get("devices").size();
            assertThat(s.get("plan").get("nodes").size()).isEqualTo(s.get("original_nodes").size());
        }
        assertThat(devices).isEqualTo(8);
        assertThat(j.get("node_layers").size()).isPositive();
        assertThat(j.get("iteration_seconds").asDouble()).isGreaterThanOrEqualTo(j.get("pipeline_seconds").asDouble());
    }

    @Test
    void planningTimeListsEveryPhaseAndAddsUpToTheWholeCommand(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("pipeline.json");
        MainTest.Run r = run("plan", "--pipeline", "--microbatches", "4", "--no-progress", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("planning time:   start [0-9.]+ s, graph [0-9.]+ s, autodiff [0-9.]+ s, clustering [0-9.]+ s, "
                + "ILP construction [0-9.]+ s, ILP solving [0-9.]+ s, range costs [0-9.]+ s, stage DP [0-9.]+ s, stage ILPs [0-9.]+ s"
                + "(, other [0-9.]+ s)?; total [0-9.]+ s");
        assertThat(r.err()).as("no progress bars off a terminal").isEmpty();
        JsonNode planning = new ObjectMapper().readTree(json.toFile()).get("planning");
        double sum = 0;
        for (JsonNode s : planning.get("phase_seconds")) {
            assertThat(s.asDouble()).isNotNegative();
            sum += s.asDouble();
        }
        // what no phase accounts for is listed as "other" once it reaches 5 ms
        assertThat(sum).isCloseTo(planning.get("total_seconds").asDouble(), within(0.005));
    }

    @Test
    void megatronPlanHasItsDegrees() {
        MainTest.Run r = run("plan", "--plan", "megatron:dp=2,tp=2,pp=2", "--microbatches", "4", "--schedule", "gpipe");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("pipeline plan:   megatron dp=2,tp=2,pp=2, 2 stages, 4 microbatches (gpipe)",
                "2x2    0-3", "2x2    4-7", "dp-megatron", "stage 0 -> 1 forward", "stage 1 -> 0 backward", "schedule (gpipe)");
    }

    @Test
    void megatronBestSearchesTheGrid() {
        MainTest.Run r = run("plan", "--plan", "megatron-best", "--microbatches", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("pipeline plan:   megatron dp=\\d+,tp=\\d+,pp=\\d+");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--plan megatron:dp=2,tp=2,pp=3                | uses dp*tp*pp = 12 devices but cpu x 1",
        "--plan megatron:dp=1,tp=1,pp=8                | pp=8 does not divide the model's 2 layers",
        "--plan megatron:dp=16,tp=1,pp=1 --batch 8     | uses dp*tp*pp = 16 devices",
        "--plan megatron:dp=8,tp=1,pp=1 --batch 4 --microbatches 1 | dp=8 does not divide the microbatch of 4 samples",
        "--plan megatron:2x2x2                         | cannot read 'megatron:2x2x2'",
        "--pipeline --mesh 2x2                         | --mesh does not apply to pipeline plans",
        "--pipeline --microbatches 3                   | --microbatches 3 does not divide the batch of 16",
        "--pipeline --microbatches zero                | --microbatches must be a positive number or auto",
        "--pipeline --schedule zb                      | unknown schedule 'zb'; use 1f1b or gpipe",
        "--pipeline --plan dp                          | --pipeline plans are auto, megatron:dp=D,tp=T,pp=P, megatron-best or ep-dp",
        "--pipeline --pipeline-layers -1               | --pipeline-layers must be 0 (automatic) or positive",
        "--pipeline --pipeline-layers 1000 --microbatches 1 | cannot cluster",
        "--pipeline --microbatches 2 --memory-budget 0.000001 | no pipeline of this model on cpu x 1"})
    void badPipelineInputGetsOneLineAndExitCode2(String args, String message) {
        String[] rest = args.trim().split("\\s+");
        String[] all = new String[rest.length + 1];
        all[0] = "plan";
        System.arraycopy(rest, 0, all, 1, rest.length);
        MainTest.Run r = run(all);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("Exception", "\tat ");
    }
}
