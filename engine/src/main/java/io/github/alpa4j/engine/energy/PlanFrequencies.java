package io.github.alpa4j.engine.energy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.engine.UserInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The frequency plan a pipeline plan JSON carries ({@code energy.frequency_plan}, docs/pipeline-json.md):
 * each stage's clock for each of its instructions, with the GPU they were chosen for.
 *
 * @param gpu the energy model's GPU name, e.g. {@code H100-SXM5-80GB}
 * @param microbatches microbatches of the planned pipeline
 * @param stages each stage's plan, in stage order
 */
public record PlanFrequencies(String gpu, int microbatches, List<FrequencyPlan> stages) {
    public PlanFrequencies {
        stages = List.copyOf(stages);
    }

    public static PlanFrequencies read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserInputException("--frequency-plan " + file + ": not a readable plan JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root != null && root.has("chosen") && root.has("points")) {
            return fromFrontier(file, root);
        }
        JsonNode energy = root == null ? null : root.get("energy");
        if (energy == null || !energy.has("frequency_plan") || !root.has("microbatches")) {
            throw new UserInputException("--frequency-plan " + file + ": no frequency plan in it; write one with"
                    + " 'alpa4j plan --pipeline --json FILE' on a cluster of GPUs the energy model knows (or with --gpu),"
                    + " or 'alpa4j energy frontier --json FILE'");
        }
        List<FrequencyPlan> stages = new ArrayList<>();
        try {
            for (JsonNode s : energy.get("frequency_plan")) {
                List<FrequencyPlan.Step> steps = new ArrayList<>();
                for (JsonNode step : s.get("steps")) {
                    steps.add(new FrequencyPlan.Step(step.get("instruction").asText(), step.get("mhz").asInt()));
                }
                stages.add(new FrequencyPlan(steps));
            }
        } catch (RuntimeException e) {
            throw new UserInputException("--frequency-plan " + file + ": a bad frequency plan (" + e.getMessage() + ")");
        }
        return new PlanFrequencies(energy.path("gpu").asText(""), root.get("microbatches").asInt(), stages);
    }

    /** The chosen point of an {@code energy frontier --json} file: {@code chosen.frequencies}, one row per computation. */
    private static PlanFrequencies fromFrontier(Path file, JsonNode root) {
        try {
            int stages = root.get("stages").asInt();
            int microbatches = root.get("microbatches").asInt();
            java.util.List<java.util.List<FrequencyPlan.Step>> steps = new ArrayList<>();
            for (int s = 0; s < stages; s++) {
                steps.add(new ArrayList<>());
            }
            for (JsonNode a : root.get("chosen").get("frequencies")) {
                int s = a.get("stage").asInt();
                String prefix = a.get("instruction").asText().equals("forward") ? "F(" : "B(";
                steps.get(s).add(new FrequencyPlan.Step(prefix + s + "," + a.get("microbatch").asInt() + ")", a.get("frequency_mhz").asInt()));
            }
            return new PlanFrequencies("", microbatches, steps.stream().map(FrequencyPlan::new).toList());
        } catch (RuntimeException e) {
            throw new UserInputException("--frequency-plan " + file + ": a bad frontier JSON (" + e.getMessage() + ")");
        }
    }
}
