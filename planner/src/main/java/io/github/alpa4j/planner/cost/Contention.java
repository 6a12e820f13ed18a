package io.github.alpa4j.planner.cost;

import java.util.Arrays;

/**
 * How devices that share a machine slow each other (simulated CPU devices share cores; logical
 * devices share one GPU): the time of compute-bound and of memory-bound work with {@code busy[i]}
 * devices busy, relative to the {@code profiled} devices a profile ran with. Between the measured
 * counts the factors are interpolated; beyond the {@link #saturation()} the devices take turns (time
 * grows with the count from the saturated speed).
 */
public record Contention(int profiled, int[] busy, double[] compute, double[] memory) {
    public Contention {
        busy = busy.clone();
        compute = compute.clone();
        memory = memory.clone();
        if (busy.length == 0 || busy.length != compute.length || busy.length != memory.length) {
            throw new IllegalArgumentException("contention needs one compute and one memory factor per busy count");
        }
        for (int i = 0; i < busy.length; i++) {
            if (busy[i] < 1 || i > 0 && busy[i] <= busy[i - 1] || !(compute[i] > 0) || !(memory[i] > 0)) {
                throw new IllegalArgumentException("contention: busy counts must ascend from 1 and factors be positive: "
                        + Arrays.toString(busy));
            }
        }
    }

    /**
     * The fewest busy devices at which the machine does the most compute-bound work per second, within 5 %
     * ({@code n / computeFactor(n)} over the measured counts): beyond it, more busy devices only share the
     * same cores. Two cores run two simulated devices at full speed each; four on them take turns.
     */
    public int saturation() {
        double best = 0;
        for (int i = 0; i < busy.length; i++) {
            best = Math.max(best, busy[i] / compute[i]);
        }
        for (int i = 0; i < busy.length; i++) {
            if (busy[i] / compute[i] >= 0.95 * best) {
                return busy[i];
            }
        }
        return busy[busy.length - 1];
    }

    /** Time factor of compute-bound work with {@code devices} busy. */
    public double computeFactor(int devices) {
        return factor(compute, devices);
    }

    /** Time factor of memory-bound work (and per-op overheads) with {@code devices} busy. */
    public double memoryFactor(int devices) {
        return factor(memory, devices);
    }

    private double factor(double[] f, int devices) {
        int last = busy.length - 1;
        int sat = saturation();
        int at = 0;
        while (busy[at] != sat) {
            at++;
        }
        if (devices > sat) {
            // beyond saturation the devices take turns: the saturated speed, shared (measured counts beyond it
            // time-slice within each timed round and follow the scheduler: four simulated devices on two cores
            // measured 2.2-3.0x two devices' time, against the 2x of taking turns)
            return f[at] * devices / sat;
        }
        if (devices >= busy[last]) {
            return f[last] * devices / busy[last];
        }
        if (devices <= busy[0]) {
            return f[0];
        }
        int i = 0;
        while (busy[i + 1] < devices) {
            i++;
        }
        double t = (Math.log(devices) - Math.log(busy[i])) / (Math.log(busy[i + 1]) - Math.log(busy[i]));
        return f[i] * Math.pow(f[i + 1] / f[i], t);
    }
}
