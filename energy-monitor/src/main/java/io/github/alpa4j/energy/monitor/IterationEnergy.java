package io.github.alpa4j.energy.monitor;

import java.util.ArrayList;
import java.util.List;

/**
 * Energy per training iteration: {@link #begin()} before the first, {@link #lap(double)} as each
 * ends (with the tokens it processed); each iteration spans the marks around it, so iterations
 * tile the run and their energies sum to the run's.
 */
public final class IterationEnergy {
    private final EnergyMonitor monitor;
    private final List<EnergyInterval> iterations = new ArrayList<>();
    private final List<Double> joules = new ArrayList<>();
    private final List<Double> tokens = new ArrayList<>();
    private long last = Long.MIN_VALUE;

    public IterationEnergy(EnergyMonitor monitor) {
        this.monitor = monitor;
    }

    /** The first iteration starts now. */
    public void begin() {
        last = monitor.mark();
    }

    /** The current iteration ended now, having processed {@code tokensProcessed}; returns its joules over all GPUs. */
    public double lap(double tokensProcessed) {
        if (last == Long.MIN_VALUE) {
            throw new IllegalStateException("lap before begin");
        }
        long now = monitor.mark();
        double j = monitor.totalJoules(last, now);
        iterations.add(new EnergyInterval("iteration " + iterations.size(), -1, last, now));
        joules.add(j);
        tokens.add(tokensProcessed);
        last = now;
        return j;
    }

    /** Joules of each iteration so far, all GPUs together. */
    public List<Double> joulesPerIteration() {
        return List.copyOf(joules);
    }

    /**
     * The run's figures over every iteration but the first (which pays for warm-up), or over the
     * only one there is.
     */
    public EnergySummary summary() {
        if (joules.isEmpty()) {
            throw new IllegalStateException("no iteration measured");
        }
        int from = joules.size() > 1 ? 1 : 0;
        double j = 0;
        double t = 0;
        double s = 0;
        for (int i = from; i < joules.size(); i++) {
            j += joules.get(i);
            t += tokens.get(i);
            s += iterations.get(i).seconds();
        }
        int n = joules.size() - from;
        return new EnergySummary(j / n, s > 0 ? j / s : 0, j > 0 ? t / j : 0, joulesPerIteration());
    }
}
