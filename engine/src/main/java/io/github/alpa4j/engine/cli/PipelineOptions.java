package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.planner.stage.LogicalShapeSpace;
import picocli.CommandLine.Option;

/** Flags of pipeline plans, shared by {@code plan} and {@code train}. */
public final class PipelineOptions {
    @Option(names = "--microbatches", defaultValue = "auto",
            description = "Pipelines: microbatches per iteration, or auto to try every power of two dividing the batch (default: ${DEFAULT-VALUE}).")
    String microbatches;

    @Option(names = "--schedule", defaultValue = "1f1b", description = "Pipelines: 1f1b or gpipe (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--pipeline-layers", defaultValue = "0",
            description = "Pipelines: layers the clustering forms, 0 to choose as Alpa does (default: ${DEFAULT-VALUE}).")
    int pipelineLayers;

    @Option(names = "--logical-shapes", defaultValue = "in-host", description = "Pipelines: the logical meshes tried on each"
            + " submesh of n devices: in-host, (n/k, k) for powers of two k up to a host's GPUs (Alpa's default), or all, every"
            + " factorisation rows x cols = n (the paper's setting) (default: ${DEFAULT-VALUE}).")
    String logicalShapes;

    LogicalShapeSpace logicalShapeSpace() {
        return switch (logicalShapes.trim()) {
            case "in-host" -> LogicalShapeSpace.MODEL_PARALLEL_IN_HOST;
            case "all" -> LogicalShapeSpace.ALL;
            default -> throw new UserInputException("--logical-shapes must be in-host or all, got '" + logicalShapes + "'");
        };
    }

    @Option(names = "--measure-stages",
            description = "Pipelines, automatic plan: run every candidate stage on simulated CPU devices and plan with the measured times"
                    + " and memory instead of the cost model's (Alpa's stage profiling; repeated structures are measured once).")
    boolean measureStages;
}
