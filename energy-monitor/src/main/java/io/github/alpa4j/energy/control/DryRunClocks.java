package io.github.alpa4j.energy.control;

import java.util.function.Consumer;

/**
 * The default: reads the GPU through {@code device} but only reports what it would change
 * ("would set GPU 0 to 1410 MHz"). It never calls a setter of the device, so it needs no privilege.
 */
public final class DryRunClocks implements GpuClocks {
    private final GpuClocks device;
    private final Consumer<String> log;

    public DryRunClocks(GpuClocks device, Consumer<String> log) {
        this.device = device;
        this.log = log;
    }

    @Override
    public int gpu() {
        return device.gpu();
    }

    @Override
    public int[] supportedGraphicsClocksMhz() {
        return device.supportedGraphicsClocksMhz();
    }

    @Override
    public int currentGraphicsClockMhz() {
        return device.currentGraphicsClockMhz();
    }

    /** Always: reporting needs no privilege. */
    @Override
    public boolean canSetClocks() {
        return true;
    }

    @Override
    public void setLockedGraphicsClock(int mhz) {
        log.accept("would set GPU " + device.gpu() + " to " + mhz + " MHz");
    }

    @Override
    public void resetGraphicsClocks() {
        log.accept("would reset GPU " + device.gpu() + "'s clocks");
    }
}
