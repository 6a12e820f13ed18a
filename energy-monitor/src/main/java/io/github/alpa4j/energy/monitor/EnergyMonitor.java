package io.github.alpa4j.energy.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples every GPU's energy counter and power on a daemon thread, and attributes energy to
 * intervals (iterations, a stage's forward and backward instructions) by interpolating the
 * counter linearly between the samples around each end. The counter itself integrates power in
 * the driver, so an interval's energy is counter(end) − counter(begin); sampling only decides
 * how finely ends between samples are resolved (NVML updates the counter about every 10 ms).
 * {@link #mark()} samples at once, so intervals that start and end on marks need no
 * interpolation at all.
 */
public final class EnergyMonitor implements AutoCloseable {
    private final EnergySource source;
    private final LongSupplier clock;
    private final List<EnergySample> samples = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean closed;
    private volatile RuntimeException samplerFailure;

    private EnergyMonitor(EnergySource source, LongSupplier clock, Duration period) {
        this.source = source;
        this.clock = clock;
        if (period == null) {
            this.sampler = null;
        } else {
            long ms = Math.max(1, period.toMillis());
            this.sampler = new Thread(() -> sampleLoop(ms), "energy-monitor");
            this.sampler.setDaemon(true);
        }
    }

    /** Samples now and then every {@code period} on a daemon thread, timed by {@link System#nanoTime()}. */
    public static EnergyMonitor start(EnergySource source, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("sampling period must be positive, got " + period);
        }
        EnergyMonitor m = new EnergyMonitor(source, System::nanoTime, period);
        m.sampleNow();
        m.sampler.start();
        return m;
    }

    /** A monitor that samples only when asked ({@link #sampleNow}, {@link #mark}), on {@code clock}: for tests and replay. */
    public static EnergyMonitor manual(EnergySource source, LongSupplier clock) {
        EnergyMonitor m = new EnergyMonitor(source, clock, null);
        m.sampleNow();
        return m;
    }

    public int gpuCount() {
        return source.gpuCount();
    }

    private void sampleLoop(long periodMillis) {
        while (!closed) {
            try {
                Thread.sleep(periodMillis);
                if (!closed) {
                    sampleNow();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                samplerFailure = e; // reported by the next reading
                return;
            }
        }
    }

    /** Reads every GPU now and keeps the sample. */
    public EnergySample sampleNow() {
        int n = source.gpuCount();
        long[] e = new long[n];
        int[] p = new int[n];
        long t;
        synchronized (samples) {
            t = clock.getAsLong();
            for (int g = 0; g < n; g++) {
                e[g] = source.energyMillijoules(g);
                p[g] = source.powerMilliwatts(g);
            }
            EnergySample s = new EnergySample(t, e, p);
            if (!samples.isEmpty() && samples.getLast().nanos() > t) {
                throw new IllegalStateException("the monitor's clock went backwards");
            }
            samples.add(s);
            return s;
        }
    }

    /** Samples now and returns the moment, to begin or end an interval on. */
    public long mark() {
        return sampleNow().nanos();
    }

    /** The samples so far, oldest first. */
    public List<EnergySample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /**
     * GPU {@code gpu}'s counter at {@code nanos}, millijoules, interpolated between the samples
     * around it. A moment after the last sample takes a fresh sample first.
     *
     * @throws IllegalArgumentException for a moment before monitoring began, or in the future
     */
    public double counterAt(int gpu, long nanos) {
        failIfSamplerDied();
        EnergySample before;
        EnergySample after;
        synchronized (samples) {
            if (nanos > samples.getLast().nanos()) {
                if (nanos > clock.getAsLong()) {
                    throw new IllegalArgumentException("cannot read the energy counter in the future");
                }
                sampleNow();
            }
            if (nanos < samples.getFirst().nanos()) {
                throw new IllegalArgumentException("moment " + nanos + " is before monitoring began (" + samples.getFirst().nanos() + ")");
            }
            int hi = firstAtOrAfter(nanos);
            after = samples.get(hi);
            before = hi == 0 || after.nanos() == nanos ? after : samples.get(hi - 1);
        }
        if (after.nanos() == before.nanos()) {
            return after.energyMillijoules(gpu);
        }
        double f = (double) (nanos - before.nanos()) / (after.nanos() - before.nanos());
        return before.energyMillijoules(gpu) + f * (after.energyMillijoules(gpu) - before.energyMillijoules(gpu));
    }

    private int firstAtOrAfter(long nanos) {
        int lo = 0;
        int hi = samples.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (samples.get(mid).nanos() < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Energy of GPU {@code gpu} between two moments, joules. */
    public double joules(int gpu, long beginNanos, long endNanos) {
        if (endNanos < beginNanos) {
            throw new IllegalArgumentException("interval ends before it begins");
        }
        return (counterAt(gpu, endNanos) - counterAt(gpu, beginNanos)) / 1000.0;
    }

    /** Energy of an interval on its GPU, joules. */
    public double joules(EnergyInterval i) {
        return joules(i.gpu(), i.beginNanos(), i.endNanos());
    }

    /** Energy of every GPU between two moments, joules. */
    public double totalJoules(long beginNanos, long endNanos) {
        double sum = 0;
        for (int g = 0; g < source.gpuCount(); g++) {
            sum += joules(g, beginNanos, endNanos);
        }
        return sum;
    }

    /**
     * The same energy from the power samples instead of the counter (trapezoids between the
     * samples inside the interval, power held flat to its ends): a cross-check of the counter,
     * coarse where power is a one-second average.
     */
    public double joulesFromPower(int gpu, long beginNanos, long endNanos) {
        List<EnergySample> s = samples();
        double mj = 0;
        for (int i = 1; i < s.size(); i++) {
            long a = Math.max(beginNanos, s.get(i - 1).nanos());
            long b = Math.min(endNanos, s.get(i).nanos());
            if (b > a) {
                double pa = s.get(i - 1).powerMilliwatts(gpu);
                double pb = s.get(i).powerMilliwatts(gpu);
                mj += (b - a) / 1e9 * (pa + pb) / 2;
            }
        }
        return mj / 1000.0;
    }

    private void failIfSamplerDied() {
        RuntimeException f = samplerFailure;
        if (f != null) {
            throw new IllegalStateException("the energy sampler stopped: " + f.getMessage(), f);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (sampler != null) {
            sampler.interrupt();
            try {
                sampler.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
