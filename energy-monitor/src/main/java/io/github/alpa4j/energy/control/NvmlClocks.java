package io.github.alpa4j.energy.control;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.NvmlClockLock;
import io.github.alpa4j.cuda.NvmlDevice;
import java.util.Arrays;

/**
 * The GPU's clocks through NVML. Reading is free; the setters lock and reset the real clock and
 * are reached only through a {@link FrequencyController} opened with {@code applyClocks}
 * (the CLI's {@code --apply-clocks}). The device's NVML session must outlive this.
 */
public final class NvmlClocks implements GpuClocks {
    private final NvmlDevice device;

    public NvmlClocks(NvmlDevice device) {
        this.device = device;
    }

    @Override
    public int gpu() {
        return device.index();
    }

    /** The graphics clocks supported at the highest memory clock (the one training runs at). */
    @Override
    public int[] supportedGraphicsClocksMhz() {
        int[] mem = device.supportedMemoryClocksMhz();
        int top = Arrays.stream(mem).max().orElseThrow(() -> new ClockControlException("GPU " + gpu() + " lists no memory clocks"));
        return device.supportedGraphicsClocksMhz(top);
    }

    @Override
    public int currentGraphicsClockMhz() {
        return device.graphicsClockMhz();
    }

    @Override
    public boolean canSetClocks() {
        return Privileges.current();
    }

    @Override
    public void setLockedGraphicsClock(int mhz) {
        try {
            NvmlClockLock.lockGraphicsClocks(device, mhz, mhz);
        } catch (CudaException e) {
            throw NvmlClockLock.isNoPermission(e) ? new ClockControlException(FrequencyController.NO_PRIVILEGE, e) : e;
        }
    }

    @Override
    public void resetGraphicsClocks() {
        NvmlClockLock.resetGraphicsClocks(device);
    }
}
