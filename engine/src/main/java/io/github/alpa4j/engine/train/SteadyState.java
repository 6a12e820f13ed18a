package io.github.alpa4j.engine.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Whether a JVM's training steps have reached the speed they keep: the last {@value #SETTLED} steps lie
 * within {@value #SPREAD}x of each other, and over the trailing window (the last {@value #WINDOW_STEPS}
 * steps, more until they span {@value #WINDOW_SECONDS} s) the JIT compiled for at most {@value #JIT_SHARE}
 * of the window's time.
 *
 * <p>A fresh JVM runs its kernels interpreted, then compiles them in the background, on the cores the devices
 * use. On two cores that went on for 250-300 steps of a small GPT (2.8 s of compilation), the step time falling
 * from 15 to 7 ms, with runs of steps steady enough to look settled and single steps with no compilation in
 * them (the compiler works in bursts of tens of milliseconds): a check of one step at a time ended the warm-up
 * half-way. A window of steps sees the bursts. The compiler never quite stops (a 400-step run of a small GPT
 * still compiled 20-60 methods every 40 steps at its end): at 2 % of the window that run never settled, at 5 %
 * it settled after 312 steps, at 4.7 ms a step against 7.1 ms over all its steps.
 */
public final class SteadyState {
    static final int SETTLED = 3;
    static final double SPREAD = 1.15;
    static final int WINDOW_STEPS = 5;
    static final double WINDOW_SECONDS = 0.5;
    static final double JIT_SHARE = 0.05;

    private final CompilationMXBean jit;
    private final List<Double> seconds = new ArrayList<>();
    private final List<Double> compiled = new ArrayList<>();
    private long lastCompileMillis;
    private int steadyAfter = -1;
    private int history;

    private SteadyState(CompilationMXBean jit) {
        this.jit = jit;
        this.lastCompileMillis = jit == null ? 0 : jit.getTotalCompilationTime();
    }

    /** Watches this JVM's compiler (where it reports its time; where it does not, only the spread of the steps counts). */
    public static SteadyState ofThisJvm() {
        CompilationMXBean b = ManagementFactory.getCompilationMXBean();
        return new SteadyState(b != null && b.isCompilationTimeMonitoringSupported() ? b : null);
    }

    /** Records a step of {@code stepSeconds} that just ended, and the JIT's time since the previous one. */
    public void step(double stepSeconds) {
        long now = jit == null ? 0 : jit.getTotalCompilationTime();
        step(stepSeconds, (now - lastCompileMillis) * 1e-3);
        lastCompileMillis = now;
    }

    /** Records a step of {@code stepSeconds} during which the JIT compiled for {@code jitSeconds}. */
    void step(double stepSeconds, double jitSeconds) {
        seconds.add(stepSeconds);
        compiled.add(jitSeconds);
        if (steadyAfter < 0 && steady()) {
            steadyAfter = seconds.size();
        }
    }

    /** This watch for a run that resumes after {@code steps} steps of earlier processes (their times are not recorded here). */
    public SteadyState resumedAfter(int steps) {
        this.history = steps;
        return this;
    }

    /** Whether a run of {@code total} steps (earlier processes' included) settled here with at least three steps to spare. */
    public boolean settled(int total) {
        return steadyAfter >= 0 && history + steadyAfter + 3 <= total;
    }

    /**
     * Steps of such a run left out of its measured time: the earlier processes' and this one's until it settled;
     * where it never did, one in ten ({@link CostCheck#warmup}).
     */
    public int warmup(int total) {
        return settled(total) ? history + steadyAfter : CostCheck.warmup(total);
    }

    public int steps() {
        return seconds.size();
    }

    /** Whether the steps so far end steady: settled, and the JIT quiet over the trailing window. */
    public boolean steady() {
        if (seconds.size() < Math.max(SETTLED, WINDOW_STEPS)) {
            return false;
        }
        List<Double> last = seconds.subList(seconds.size() - SETTLED, seconds.size());
        if (Collections.max(last) > SPREAD * Collections.min(last)) {
            return false;
        }
        double wall = 0;
        double jitTime = 0;
        int n = 0;
        for (int i = seconds.size() - 1; i >= 0 && (n < WINDOW_STEPS || wall < WINDOW_SECONDS); i--, n++) {
            wall += seconds.get(i);
            jitTime += compiled.get(i);
        }
        return wall >= WINDOW_SECONDS && jitTime <= JIT_SHARE * wall;
    }
}
