package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.control.ClockControlException;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.model.GpuSpec;

/**
 * The clocks of a GPU the energy model describes, for a run with no such GPU (simulated CPU devices):
 * the frequency controller checks a plan against these clocks and, in its dry run, reports each change
 * a GPU would make as the pipeline runs. It cannot set anything.
 */
public record ModelledClocks(int gpu, GpuSpec spec) implements GpuClocks {
    @Override
    public int[] supportedGraphicsClocksMhz() {
        int n = (spec.maxClockMhz() - spec.minClockMhz()) / spec.clockStepMhz() + 1;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = spec.maxClockMhz() - i * spec.clockStepMhz();
        }
        return out;
    }

    @Override
    public int currentGraphicsClockMhz() {
        return spec.maxClockMhz();
    }

    @Override
    public boolean canSetClocks() {
        return false;
    }

    /** Refused as a GPU without the privilege refuses (the controller asks {@link #canSetClocks} first). */
    @Override
    public void setLockedGraphicsClock(int mhz) {
        throw notSettable();
    }

    @Override
    public void resetGraphicsClocks() {
        throw notSettable();
    }

    private ClockControlException notSettable() {
        return new ClockControlException("device " + gpu + " is simulated: its " + spec.name()
                + " clocks can only be reported; run the frequency plan as a dry run (without --apply-clocks)");
    }
}
