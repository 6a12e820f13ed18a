package io.github.alpa4j.energy.control;

/**
 * One GPU's graphics (SM) clock as the frequency controller sees it: what it supports, what it
 * runs at, whether this process may change it, and the two changes it makes. Implementations:
 * {@link NvmlClocks} (the device), {@link DryRunClocks} (reads the device, only reports changes).
 */
public interface GpuClocks {
    /** The GPU's index, for messages ("GPU 0"). */
    int gpu();

    /** Graphics clocks the GPU can be locked to, MHz. */
    int[] supportedGraphicsClocksMhz();

    /** The graphics clock now, MHz. */
    int currentGraphicsClockMhz();

    /** Whether {@link #setLockedGraphicsClock} may succeed here (root or CAP_SYS_ADMIN for NVML). */
    boolean canSetClocks();

    /** Pins the graphics clock to {@code mhz}. */
    void setLockedGraphicsClock(int mhz);

    /** Lets the driver choose the graphics clock again. */
    void resetGraphicsClocks();
}
