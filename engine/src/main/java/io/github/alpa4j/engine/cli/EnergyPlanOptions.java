package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code train --pipeline}'s energy plan flags (docs/energy-live.md). */
final class EnergyPlanOptions {
    @Option(names = {"--energy-plan", "--frequency-plan"}, paramLabel = "auto|none|FILE",
            description = "With --pipeline: run each stage's instructions at planned clocks. auto: profile the stages in the first steps,"
                    + " solve the Perseus frontier and deploy its fastest point; FILE: a plan JSON (plan --pipeline --json, energy frontier"
                    + " --json) or a Perseus profile CSV (energy profile -o); none (default). A dry run unless --apply-clocks."
                    + " --frequency-plan is its older name.")
    String plan;

    @Option(names = "--energy-warmup", defaultValue = "1", description = "With --energy-plan auto: steps run before profiling (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--energy-profile-steps", defaultValue = "3",
            description = "With --energy-plan auto: steps profiled; the plan is deployed after them (default: ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--energy-clocks", split = ",", paramLabel = "MHZ", description = "With --energy-plan auto --apply-clocks: profile at"
            + " these clocks, every device locked to each in turn (at least two). Without it the stages are profiled at the current"
            + " clock only and the other clocks come from the model.")
    List<Integer> clocks = new java.util.ArrayList<>();

    @Option(names = "--job-dir", description = "With --energy-plan: the directory whose straggler notices ('alpa4j energy straggler --job DIR')"
            + " the run follows, switching frontier points at the next step; created if missing.")
    Path jobDir;

    @Option(names = "--apply-clocks", description = "With --energy-plan: set the clocks (--backend cuda, root or CAP_SYS_ADMIN); they are reset"
            + " on every exit. Without it each change is reported and none is set.")
    boolean applyClocks;

    @Option(names = "--gpu", description = "With --energy-plan: the GPU the energy model describes (a100|a40|h100|v100 or a GPU file;"
            + " default: the plan file's, else the cluster's if the model knows it, else a100). Simulated devices stand for it.")
    String gpu;

    /** Whether a plan is to run. */
    boolean active() {
        return plan != null && !plan.equals("none");
    }

    boolean auto() {
        return "auto".equals(plan);
    }

    /** The plan file, or null for auto and none. */
    Path file() {
        return active() && !auto() ? Path.of(plan) : null;
    }

    /** Refuses, before any work, flags out of range or without the plan they shape. */
    void check(boolean pipeline, picocli.CommandLine.ParseResult parsed) {
        if (!active()) {
            for (String f : List.of("--energy-warmup", "--energy-profile-steps", "--energy-clocks", "--job-dir", "--apply-clocks", "--gpu")) {
                if (parsed.hasMatchedOption(f)) {
                    throw new UserInputException(f + " goes with --energy-plan auto|FILE");
                }
            }
            return;
        }
        if (!pipeline) {
            throw new UserInputException("--energy-plan sets each pipeline stage's clocks: use it with --pipeline");
        }
        if (!auto()) {
            if (!Files.isRegularFile(file())) {
                throw new UserInputException("--energy-plan " + plan + ": no such file (give auto, none, a plan JSON or a profile CSV)");
            }
            for (String f : List.of("--energy-warmup", "--energy-profile-steps", "--energy-clocks")) {
                if (parsed.hasMatchedOption(f)) {
                    throw new UserInputException(f + " shapes the profile of --energy-plan auto; a plan file is deployed from the first step");
                }
            }
        }
        if (clocks.size() == 1) {
            throw new UserInputException("--energy-clocks needs two clocks or more: the frontier trades time for energy between them");
        }
        if (!clocks.isEmpty() && !applyClocks) {
            throw new UserInputException("--energy-clocks steps the clocks while profiling: it needs --apply-clocks (without it the stages"
                    + " are profiled at the current clock only)");
        }
        if (warmup < 0 || profileSteps < 1) {
            throw new UserInputException("--energy-warmup must be 0 or more and --energy-profile-steps 1 or more, got " + warmup + " and " + profileSteps);
        }
        if (jobDir != null && Files.exists(jobDir) && !Files.isDirectory(jobDir)) {
            throw new UserInputException("--job-dir " + jobDir + ": not a directory");
        }
    }
}
