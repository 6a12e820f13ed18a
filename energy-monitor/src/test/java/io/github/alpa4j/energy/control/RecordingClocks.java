package io.github.alpa4j.energy.control;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/** A GPU that records every change asked of it, in order ("set 1410", "reset"), and touches no hardware. */
final class RecordingClocks implements GpuClocks {
    private final int[] supported;
    private final boolean privileged;
    private final IntPredicate failsAt;
    private final List<String> calls = new ArrayList<>();
    private int current;

    RecordingClocks(int[] supported, boolean privileged, IntPredicate failsAt) {
        this.supported = supported.clone();
        this.privileged = privileged;
        this.failsAt = failsAt;
        this.current = supported[0];
    }

    RecordingClocks(int... supported) {
        this(supported, true, mhz -> false);
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized long count(String call) {
        return calls.stream().filter(call::equals).count();
    }

    @Override
    public int gpu() {
        return 0;
    }

    @Override
    public int[] supportedGraphicsClocksMhz() {
        return supported.clone();
    }

    @Override
    public synchronized int currentGraphicsClockMhz() {
        return current;
    }

    @Override
    public boolean canSetClocks() {
        return privileged;
    }

    @Override
    public synchronized void setLockedGraphicsClock(int mhz) {
        calls.add("set " + mhz);
        if (failsAt.test(mhz)) {
            throw new IllegalStateException("driver refused " + mhz + " MHz");
        }
        current = mhz;
    }

    @Override
    public synchronized void resetGraphicsClocks() {
        calls.add("reset");
        current = supported[0];
    }
}
