package io.github.alpa4j.cuda;

import org.bytedeco.cuda.global.nvml;

/**
 * The only NVML calls in alpa4j that change a GPU setting: locking the graphics (SM) clock to a
 * range and undoing it. They need root or CAP_SYS_ADMIN (NVML answers NO_PERMISSION otherwise),
 * and a lock lasts until reset or driver reload, so a caller must reset on every exit path.
 * alpa4j reaches them only from the energy module's clock controller when the user passed
 * {@code --apply-clocks}; nothing calls them by default or in tests.
 */
public final class NvmlClockLock {
    private NvmlClockLock() {
    }

    /** Locks the graphics clock of {@code device} to [minMhz, maxMhz] (equal bounds pin it). */
    public static void lockGraphicsClocks(NvmlDevice device, int minMhz, int maxMhz) {
        if (minMhz <= 0 || maxMhz < minMhz) {
            throw new IllegalArgumentException("bad clock range " + minMhz + "-" + maxMhz + " MHz");
        }
        Check.nvml(nvml.nvmlDeviceSetGpuLockedClocks(device.handle(), minMhz, maxMhz),
                "nvmlDeviceSetGpuLockedClocks(" + device.index() + ", " + minMhz + "-" + maxMhz + " MHz)");
    }

    /** Lets the driver choose the graphics clock of {@code device} again. */
    public static void resetGraphicsClocks(NvmlDevice device) {
        Check.nvml(nvml.nvmlDeviceResetGpuLockedClocks(device.handle()), "nvmlDeviceResetGpuLockedClocks(" + device.index() + ")");
    }

    /** Whether an NVML failure was the missing privilege (not an unsupported device or a driver fault). */
    public static boolean isNoPermission(CudaException e) {
        return e.code() == nvml.NVML_ERROR_NO_PERMISSION;
    }
}
