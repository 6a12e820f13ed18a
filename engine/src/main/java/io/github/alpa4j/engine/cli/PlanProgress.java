package io.github.alpa4j.engine.cli;

import io.github.alpa4j.planner.stage.PlanningProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error for each phase of planning, cleared when the phase ends (the plan's
 * summary lists every phase's time). Only where the output is a terminal and --no-progress is not given.
 */
final class PlanProgress implements PlanningProgress, AutoCloseable {
    private volatile ProgressBar bar;

    private PlanProgress() {
    }

    /** Bars if {@code wanted} and the output is a terminal, else nothing. */
    static PlanningProgress of(boolean wanted) {
        return wanted && System.console() != null ? new PlanProgress() : PlanningProgress.NONE;
    }

    @Override
    public void begin(String phase, int units) {
        close();
        bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(units).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).clearDisplayOnFinish().build();
    }

    @Override
    public void step() {
        ProgressBar b = bar;
        if (b != null) {
            b.step();
        }
    }

    @Override
    public void end() {
        close();
    }

    @Override
    public void close() {
        ProgressBar b = bar;
        bar = null;
        if (b != null) {
            b.close();
        }
    }
}
