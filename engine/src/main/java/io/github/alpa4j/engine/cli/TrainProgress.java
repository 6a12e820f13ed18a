package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.train.Ending;
import io.github.alpa4j.engine.train.StepMetrics;
import io.github.alpa4j.engine.train.TrainOptions;
import io.github.alpa4j.engine.train.TrainReport;
import io.github.alpa4j.engine.train.TrainResult;
import io.github.alpa4j.engine.train.Trainer;
import io.github.alpa4j.planner.plan.Units;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What {@code train} does as its steps finish: the progress bar and the log lines, the metrics file
 * rewritten (atomically) at every log line so that an interruption never loses it, and the
 * checkpoints that fall due.
 */
final class TrainProgress {
    private final TrainCommand cmd;
    private final Model model;
    private final BackendRunner runner;
    private final DataSource data;
    private final RunMode.Prepared prepared;
    private final PrintWriter out;
    private Path lastCheckpoint;
    private long lastCheckpointStep;

    TrainProgress(TrainCommand cmd, Model model, BackendRunner runner, DataSource data, RunMode.Prepared prepared, PrintWriter out) {
        this.cmd = cmd;
        this.model = model;
        this.runner = runner;
        this.data = data;
        this.prepared = prepared;
        this.out = out;
    }

    /**
     * Runs {@code options}' steps, logging every {@code every} steps (and the last), writing the metrics
     * file then, and a checkpoint whenever {@code ckpts} says one is due.
     */
    TrainResult run(TrainOptions options, long every, TrainCheckpoints ckpts, Map<String, Object> run, Consumer<StepMetrics> lap) {
        List<StepMetrics> sofar = new ArrayList<>(options.history());
        lastCheckpointStep = options.startStep();
        boolean bar = !cmd.noProgress && System.console() != null;
        ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("train").setInitialMax(options.steps())
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null;
        if (pb != null) {
            pb.stepTo(options.startStep());
        }
        try {
            return Trainer.train(model, runner, runner.description(), data, options, s -> {
                sofar.add(s);
                lap.accept(s);
                if (pb != null) {
                    pb.step();
                    pb.setExtraMessage(String.format("loss %.4f, %.0f tok/s", s.loss(), s.tokensPerSecond()));
                }
                boolean logged = s.step() % every == 0 || s.step() == options.steps() - 1;
                if (logged) {
                    log(pb, s);
                }
                if (ckpts.due(s.step() + 1)) {
                    checkpointed(ckpts.save(runner, run, sofar, prepared.plan(), prepared.ranks()), s.step() + 1);
                    clearBar(pb);
                    out.println("checkpoint " + lastCheckpoint);
                    out.flush();
                }
                if ((logged || lastCheckpointStep == s.step() + 1) && cmd.json != null) {
                    Map<String, Object> report = report(Trainer.result(model, runner, runner.description(), data, sofar,
                            new Ending.Stopped()));
                    report.put("status", "running");
                    TrainReport.write(cmd.json, report);
                }
            });
        } finally {
            if (pb != null) {
                pb.close();
            }
        }
    }

    /** The metrics file's contents for {@code r} (docs/train-json.md). */
    Map<String, Object> report(TrainResult r) {
        return TrainReport.toJson(r, cmd.config(runner.description(), prepared.config()));
    }

    void checkpointed(Path where, long step) {
        lastCheckpoint = where;
        lastCheckpointStep = step;
    }

    /** The newest checkpoint this run wrote; null when none. */
    Path lastCheckpoint() {
        return lastCheckpoint;
    }

    /** The steps done when the newest checkpoint was written (or when the run began). */
    long lastCheckpointStep() {
        return lastCheckpointStep;
    }

    private void log(ProgressBar pb, StepMetrics s) {
        StringBuilder line = new StringBuilder(String.format("step %5d  loss %.4f  %8.0f tokens/s  %.3f s", s.step(), s.loss(),
                s.tokensPerSecond(), s.seconds()));
        if (s.lossScaled()) {
            line.append(String.format("  scale %.0f%s", s.lossScale(), s.skipped() ? " (overflow: update skipped)" : ""));
        }
        if (s.peakBytesPerDevice().length > 1) {
            line.append("  comm");
            if (s.collectiveBytes().isEmpty()) {
                line.append(" none");
            }
            s.collectiveBytes().forEach((kind, bytes) -> line.append(' ').append(kind).append(' ').append(Units.bytes(bytes)));
            long max = Arrays.stream(s.peakBytesPerDevice()).max().orElse(0);
            long min = Arrays.stream(s.peakBytesPerDevice()).min().orElse(0);
            line.append("  peak ").append(Units.bytes(min)).append(min == max ? "" : "-" + Units.bytes(max)).append("/device");
        }
        clearBar(pb);
        out.println(line);
        out.flush();
    }

    /** Keeps the bar on its own line: what is printed goes above it. */
    private static void clearBar(ProgressBar pb) {
        if (pb != null) {
            System.err.print("\r\033[K");
        }
    }
}
