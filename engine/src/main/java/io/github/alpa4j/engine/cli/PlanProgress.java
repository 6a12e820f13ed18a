package io.github.alpa4j.engine.cli;

import io.github.alpa4j.planner.stage.PlanningProgress;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error for each phase of planning, wiped when the phase ends (the plan's
 * summary lists every phase's time). Only where the output is a terminal and --no-progress is not given.
 */
final class PlanProgress implements PlanningProgress {
    /** Columns of a bar: $COLUMNS where the shell exports it, else a terminal's usual 80. */
    private static final int WIDTH = columns();

    private volatile ProgressBar bar;

    private PlanProgress() {
    }

    /** Bars if {@code wanted} and the output is a terminal, else nothing. */
    static PlanningProgress of(boolean wanted) {
        return wanted && System.console() != null ? new PlanProgress() : PlanningProgress.NONE;
    }

    @Override
    public void begin(String phase, int units) {
        end();
        bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(units).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setConsumer(new Line(System.err)).clearDisplayOnFinish().build();
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
        ProgressBar b = bar;
        bar = null;
        if (b != null) {
            b.close();
        }
    }

    private static int columns() {
        try {
            return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80")) - 1);
        } catch (NumberFormatException e) {
            return 79;
        }
    }

    /**
     * Draws the bar over one line and wipes it at the end. progressbar's own console consumer asks the
     * terminal for its width through JLine, which here starts {@code stty} and {@code tty} processes as it
     * redraws (100 of them for four bars of one second, measured with strace).
     */
    private static final class Line implements ProgressBarConsumer {
        private final PrintStream out;

        Line(PrintStream out) {
            this.out = out;
        }

        @Override
        public int getMaxRenderedLength() {
            return WIDTH;
        }

        @Override
        public void accept(String rendered) {
            out.print('\r' + (rendered.length() > WIDTH ? rendered.substring(0, WIDTH) : rendered));
            out.flush();
        }

        @Override
        public void clear() {
            out.print('\r' + " ".repeat(WIDTH) + '\r');
            out.flush();
        }

        @Override
        public void close() {
        }
    }
}
