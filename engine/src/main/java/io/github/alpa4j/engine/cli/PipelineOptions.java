package io.github.alpa4j.engine.cli;

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
}
