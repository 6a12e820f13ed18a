package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.energy.StageProfiler;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress of {@code energy profile}: a bar of iterations over all clocks on a terminal, else a line on stderr per clock done. */
final class ProfileProgress implements StageProfiler.Progress {
    private final PrintWriter err;
    private final boolean quiet;
    private ProgressBar bar;
    private long total;
    private long done;
    private int lastMhz = -1;

    ProfileProgress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    @Override
    public void start(long iterations) {
        total = iterations;
        if (!quiet && System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("energy profile").setInitialMax(iterations).setStyle(ProgressBarStyle.ASCII)
                    .continuousUpdate().build();
        }
    }

    @Override
    public void iterationDone(int mhz) {
        done++;
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(mhz + " MHz");
        } else if (!quiet && mhz != lastMhz && lastMhz != -1) {
            err.printf("alpa4j: energy profile: %d MHz done (%d of %d iterations)%n", lastMhz, done - 1, total);
            err.flush();
        }
        lastMhz = mhz;
    }

    @Override
    public void finish() {
        if (bar == null && !quiet && lastMhz != -1) {
            err.printf("alpa4j: energy profile: %d MHz done (%d of %d iterations)%n", lastMhz, done, total);
            err.flush();
        }
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
