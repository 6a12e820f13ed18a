package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.cli.FrontierReport;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long frontier solve: a bar on a terminal, otherwise a line on stderr every
 * {@link #LINE_EVERY_NANOS} (a solve shorter than that prints nothing).
 */
final class SolveProgress implements FrontierReport.Progress {
    /** Solves of fewer steps are quick: no bar. */
    private static final long BAR_FROM_STEPS = 2_000;
    private static final long LINE_EVERY_NANOS = 10_000_000_000L;

    private final PrintWriter err;
    private ProgressBar bar;
    private long total;
    private long lastLine;

    SolveProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void start(long steps) {
        total = steps;
        lastLine = System.nanoTime();
        if (steps >= BAR_FROM_STEPS && System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("frontier").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                    .continuousUpdate().build();
        }
    }

    @Override
    public void stepsDone(long steps) {
        if (bar != null) {
            bar.stepTo(steps);
            if (steps == total) {
                bar.close();
            }
        } else if (System.nanoTime() - lastLine > LINE_EVERY_NANOS) {
            lastLine = System.nanoTime();
            err.printf("alpa4j: frontier step %,d of %,d%n", steps, total);
            err.flush();
        }
    }
}
