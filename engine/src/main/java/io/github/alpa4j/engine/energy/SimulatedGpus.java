package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.DvfsEstimate;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.monitor.EnergySource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * GPUs that simulated CPU devices stand for, for {@code energy profile} without a GPU: a simulation, not a
 * measurement. Their clocks are a GPU preset's; locking a clock is allowed (nothing real changes) and sets
 * the speed of a fake time line: a nanosecond of real work at clock {@code f} lasts {@code fmax / f'} nanoseconds
 * on it, {@code f'} the clock the power cap allows (all work counted compute-bound, {@link DvfsEnergyModel}).
 * Their energy counters are scripted from the same model: each GPU draws the model's power for compute-bound
 * work at the clock set, every moment of the fake time line. All the GPUs share one clock (the last one set):
 * {@code energy profile} steps every device to the same clock at once.
 */
public final class SimulatedGpus implements EnergySource {
    private final GpuSpec spec;
    private final int count;
    private final LongSupplier realClock;
    /** Where the fake time line changed speed, oldest first: real moment, fake moment, clock. */
    private final List<long[]> segments = new ArrayList<>();
    /** Joules per GPU at the start of the last segment. */
    private double joulesAtLast;

    /** {@code count} GPUs described by {@code spec}, at its highest clock, timed by {@code realClock} (nanoseconds). */
    public SimulatedGpus(GpuSpec spec, int count, LongSupplier realClock) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one simulated GPU, got " + count);
        }
        this.spec = spec;
        this.count = count;
        this.realClock = realClock;
        long now = realClock.getAsLong();
        segments.add(new long[] {now, now, spec.maxClockMhz()});
    }

    public GpuSpec spec() {
        return spec;
    }

    /** The model's prediction for compute-bound work at {@code mhz}: its effective clock and power. */
    private DvfsEstimate at(int mhz) {
        return DvfsEnergyModel.estimate(spec, new InstructionTime(1.0, 0.0), mhz);
    }

    /** Fake nanoseconds per real nanosecond at {@code mhz}. */
    double slowdown(int mhz) {
        return spec.maxClockMhz() / at(mhz).effectiveClockMhz();
    }

    /** Watts each GPU draws at {@code mhz}. */
    public double watts(int mhz) {
        return at(mhz).powerWatts();
    }

    /** The clock all the GPUs run at now, MHz. */
    public synchronized int clockMhz() {
        return (int) segments.getLast()[2];
    }

    /** The fake time line now, nanoseconds: the clock an {@link io.github.alpa4j.energy.monitor.EnergyMonitor} of these GPUs reads. */
    public synchronized long nanos() {
        return fake(realClock.getAsLong());
    }

    /**
     * The fake moment of a real one ({@link #realClock}'s scale), no earlier than the simulation's start: intervals
     * the pipeline runtime timed in real nanoseconds are mapped so.
     */
    public synchronized long fake(long realNanos) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            long[] s = segments.get(i);
            if (realNanos >= s[0] || i == 0) {
                return s[1] + Math.round(Math.max(0, realNanos - s[0]) * slowdown((int) s[2]));
            }
        }
        throw new AssertionError("unreachable");
    }

    private synchronized void set(int mhz) {
        long real = realClock.getAsLong();
        long[] last = segments.getLast();
        long fakeNow = fake(real);
        joulesAtLast += watts((int) last[2]) * (fakeNow - last[1]) * 1e-9;
        segments.add(new long[] {Math.max(real, last[0]), fakeNow, mhz});
    }

    @Override
    public int gpuCount() {
        return count;
    }

    @Override
    public synchronized long energyMillijoules(int gpu) {
        long[] last = segments.getLast();
        return Math.round(1000 * (joulesAtLast + watts((int) last[2]) * (fake(realClock.getAsLong()) - last[1]) * 1e-9));
    }

    @Override
    public synchronized int powerMilliwatts(int gpu) {
        return (int) Math.round(1000 * watts(clockMhz()));
    }

    /** GPU {@code gpu}'s clocks: the preset's, settable without privileges, shared by all the simulated GPUs. */
    public GpuClocks clocks(int gpu) {
        return new GpuClocks() {
            @Override
            public int gpu() {
                return gpu;
            }

            @Override
            public int[] supportedGraphicsClocksMhz() {
                return new ModelledClocks(gpu, spec).supportedGraphicsClocksMhz();
            }

            @Override
            public int currentGraphicsClockMhz() {
                return clockMhz();
            }

            @Override
            public boolean canSetClocks() {
                return true;
            }

            @Override
            public void setLockedGraphicsClock(int mhz) {
                if (mhz != clockMhz()) {
                    set(mhz);
                }
            }

            @Override
            public void resetGraphicsClocks() {
                setLockedGraphicsClock(spec.maxClockMhz());
            }
        };
    }
}
