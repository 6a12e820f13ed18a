package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.checkpoint.Checkpoint;
import io.github.alpa4j.engine.checkpoint.CheckpointStore;
import io.github.alpa4j.engine.checkpoint.Reshard;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.runtime.StepRunner;
import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.train.StepMetrics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code train} does with checkpoints: finds the one {@code --resume} names, refuses it for
 * another model, puts it into the runner (resharded where the devices keep the variables otherwise),
 * and writes checkpoints as the run goes.
 */
final class TrainCheckpoints {
    /** The flags that decide the variables and the batches: a checkpoint resumes only a run with the same. */
    static final List<String> IDENTITY = List.of("model", "layers", "heads", "hidden", "seq", "vocab", "depth", "width", "in_dim",
            "out_dim", "activation", "batch", "precision", "loss_scale", "loss_scale_growth_interval", "optimizer", "lr", "momentum",
            "weight_decay", "seed");

    private final CheckpointStore store;
    private final long every;
    private final CheckpointStore.Found resumed;

    private TrainCheckpoints(CheckpointStore store, long every, CheckpointStore.Found resumed) {
        this.store = store;
        this.every = every;
        this.resumed = resumed;
    }

    /** Checks the flags and the directories and, with --resume, loads the newest complete checkpoint. */
    static TrainCheckpoints open(CheckpointOptions o, long steps, PrintWriter err) {
        if (o.dir == null && o.resume == null) {
            if (o.every != null || o.keep != null) {
                throw new UserInputException((o.every != null ? "--checkpoint-every" : "--keep-checkpoints") + " does nothing without --checkpoint-dir");
            }
            return new TrainCheckpoints(null, 0, null);
        }
        long every = o.every != null ? o.every : CheckpointOptions.DEFAULT_EVERY;
        if (every < 1) {
            throw new UserInputException("--checkpoint-every must be at least 1 step, got " + every);
        }
        int keep = o.keep != null ? o.keep : CheckpointOptions.DEFAULT_KEEP;
        if (keep < 1) {
            throw new UserInputException("--keep-checkpoints must be at least 1, got " + keep);
        }
        Path dir = o.dir != null ? o.dir : o.resume;
        CheckpointStore.check(o.dir != null ? "--checkpoint-dir" : "--resume", dir);
        CheckpointStore.Found found = null;
        if (o.resume != null) {
            if (!Files.isDirectory(o.resume)) {
                throw new UserInputException("--resume " + o.resume + ": no such directory");
            }
            found = new CheckpointStore(o.resume, keep).newest(line -> err.println("alpa4j: " + line)).orElseThrow(
                    () -> new UserInputException("--resume " + o.resume + ": no complete checkpoint there"));
            if (found.checkpoint().step() >= steps) {
                throw new UserInputException("--resume: the checkpoint " + found.path() + " is after step " + found.checkpoint().step()
                        + ", which already reaches --steps " + steps + "; give more --steps to train on");
            }
        }
        return new TrainCheckpoints(new CheckpointStore(dir, keep), every, found);
    }

    /** The checkpoint the run resumes from, if any. */
    Optional<CheckpointStore.Found> resumed() {
        return Optional.ofNullable(resumed);
    }

    /** Metrics of the steps before the resumed checkpoint (none for a fresh run). */
    List<StepMetrics> history() {
        return resumed == null ? List.of() : resumed.checkpoint().history();
    }

    /** Whether each step before the resumed checkpoint overflowed (skipped its update): the loss scale's past. */
    List<Boolean> overflows() {
        return history().stream().map(StepMetrics::skipped).toList();
    }

    /** Refuses to resume a checkpoint that another model, optimizer, batch or seed made. */
    void checkSameRun(Map<String, Object> run) {
        if (resumed == null) {
            return;
        }
        Map<String, Object> saved = resumed.checkpoint().run();
        for (String key : IDENTITY) {
            String was = saved.containsKey(key) ? String.valueOf(saved.get(key)) : null;
            String is = run.containsKey(key) ? String.valueOf(run.get(key)) : null;
            if (!Objects.equals(was, is)) {
                throw new UserInputException("--resume: " + resumed.path() + " was made with " + key + " " + (was == null ? "unset" : was)
                        + ", this run has " + (is == null ? "it unset" : is) + "; resume with the flags it was made with");
            }
        }
    }

    /** Puts the resumed checkpoint's variables into {@code runner}; says how. */
    void restore(StepRunner runner, PrintWriter out) {
        if (resumed == null) {
            return;
        }
        Checkpoint c = resumed.checkpoint();
        List<List<VariableShard>> layout = runner.variableLayout();
        boolean same = c.layout().equals(layout);
        runner.setVariableBlocks(Reshard.blocks(c, layout));
        out.printf("resumed from %s after step %d%s%n", resumed.path(), c.step(),
                same ? "" : ", resharded from " + devices(c.layout().size()) + " to " + devices(layout.size()));
    }

    private static String devices(int n) {
        return n + (n == 1 ? " device" : " devices");
    }

    boolean enabled() {
        return store != null;
    }

    /** Whether a checkpoint is due after {@code done} steps. */
    boolean due(long done) {
        return store != null && done % every == 0;
    }

    Path dir() {
        return store.dir();
    }

    /**
     * Writes the checkpoint after {@code history.size()} steps; with {@code ranks} (a job of several
     * processes, each calling this) every rank writes its devices' shards and rank 0 the manifest.
     */
    Path save(StepRunner runner, Map<String, Object> run, List<StepMetrics> history, Optional<String> plan, RankGroup ranks) {
        Checkpoint c = new Checkpoint(history.size(), run, runner.variableLayout(), runner.variableBlocks(), history, plan);
        return ranks == null ? store.save(c) : store.save(c, ranks);
    }
}
