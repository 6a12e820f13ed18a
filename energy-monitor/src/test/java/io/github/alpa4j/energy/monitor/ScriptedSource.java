package io.github.alpa4j.energy.monitor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * GPUs whose power follows a script: each GPU draws {@code watts[g]} until told otherwise, and its
 * counter is the exact integral of that power over the clock, in whole millijoules as NVML counts.
 */
final class ScriptedSource implements EnergySource {
    final AtomicLong clock = new AtomicLong();
    private final double[] watts;
    private final double[] millijoules;
    private long lastNanos;
    int reads;
    RuntimeException failWith;

    ScriptedSource(double... watts) {
        this.watts = watts.clone();
        this.millijoules = new double[watts.length];
    }

    /** Advances the clock by {@code seconds} at the current power. */
    synchronized void run(double seconds) {
        catchUp();
        clock.addAndGet(Math.round(seconds * 1e9));
        catchUp();
    }

    synchronized void setWatts(int gpu, double w) {
        catchUp();
        watts[gpu] = w;
    }

    private void catchUp() {
        long now = clock.get();
        for (int g = 0; g < watts.length; g++) {
            millijoules[g] += watts[g] * (now - lastNanos) / 1e6;
        }
        lastNanos = now;
    }

    @Override
    public int gpuCount() {
        return watts.length;
    }

    @Override
    public synchronized long energyMillijoules(int gpu) {
        if (failWith != null) {
            throw failWith;
        }
        reads++;
        catchUp();
        return Math.round(millijoules[gpu]);
    }

    @Override
    public synchronized int powerMilliwatts(int gpu) {
        return (int) Math.round(watts[gpu] * 1000);
    }
}
