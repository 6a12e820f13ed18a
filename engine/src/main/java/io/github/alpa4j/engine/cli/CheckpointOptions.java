package io.github.alpa4j.engine.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Flags of {@code train}'s checkpoints (docs/checkpoint.md). */
public final class CheckpointOptions {
    @Option(names = "--checkpoint-dir", description = "Write checkpoints to this directory: every --checkpoint-every steps, at the end,"
            + " and when SIGINT or SIGTERM stops the run (one subdirectory per step; docs/checkpoint.md).")
    Path dir;

    @Option(names = "--checkpoint-every", description = "With --checkpoint-dir: steps between checkpoints (default: 100).")
    Long every;

    @Option(names = "--keep-checkpoints", description = "With --checkpoint-dir: how many of the newest complete checkpoints to keep (default: 3).")
    Integer keep;

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in this directory, with the losses an"
            + " uninterrupted run gives; another --mesh or plan reshards it. Checkpoints go on into it unless --checkpoint-dir says otherwise.")
    Path resume;

    static final long DEFAULT_EVERY = 100;
    static final int DEFAULT_KEEP = 3;
}
