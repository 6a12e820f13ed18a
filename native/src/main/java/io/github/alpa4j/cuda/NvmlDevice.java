package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.global.nvml;

/**
 * One device's NVML readings; valid while its {@link Nvml} session is open. No setters: the clock
 * lock lives apart, in {@link NvmlClockLock}.
 */
public final class NvmlDevice {
    private static final int MAX_CLOCKS = 512;

    private final int index;
    private final nvmlDevice_st handle;

    NvmlDevice(int index, nvmlDevice_st handle) {
        this.index = index;
        this.handle = handle;
    }

    public int index() {
        return index;
    }

    nvmlDevice_st handle() {
        return handle;
    }

    /** The highest graphics clock the device can run, MHz. */
    public int maxGraphicsClockMhz() {
        int[] v = new int[1];
        Check.nvml(nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_GRAPHICS, v), "nvmlDeviceGetMaxClockInfo(graphics, " + index + ")");
        return v[0];
    }

    public String name() {
        try (BytePointer buf = new BytePointer(nvml.NVML_DEVICE_NAME_V2_BUFFER_SIZE)) {
            Check.nvml(nvml.nvmlDeviceGetName(handle, buf, nvml.NVML_DEVICE_NAME_V2_BUFFER_SIZE), "nvmlDeviceGetName");
            return buf.getString();
        }
    }

    public String uuid() {
        try (BytePointer buf = new BytePointer(nvml.NVML_DEVICE_UUID_V2_BUFFER_SIZE)) {
            Check.nvml(nvml.nvmlDeviceGetUUID(handle, buf, nvml.NVML_DEVICE_UUID_V2_BUFFER_SIZE), "nvmlDeviceGetUUID");
            return buf.getString();
        }
    }

    /** Energy used since the driver loaded, in millijoules (Volta and newer; updated about every 10 ms). */
    public long totalEnergyMillijoules() {
        long[] v = new long[1];
        Check.nvml(nvml.nvmlDeviceGetTotalEnergyConsumption(handle, v), "nvmlDeviceGetTotalEnergyConsumption(" + index + ")");
        return v[0];
    }

    /** Board power in milliwatts (a one-second average on Ampere and newer, GA100 aside). */
    public int powerMilliwatts() {
        int[] v = new int[1];
        Check.nvml(nvml.nvmlDeviceGetPowerUsage(handle, v), "nvmlDeviceGetPowerUsage(" + index + ")");
        return v[0];
    }

    /** The SM clock now, MHz. */
    public int smClockMhz() {
        return clock(nvml.NVML_CLOCK_SM, "SM");
    }

    /** The graphics clock now, MHz. */
    public int graphicsClockMhz() {
        return clock(nvml.NVML_CLOCK_GRAPHICS, "graphics");
    }

    /** The memory clock now, MHz. */
    public int memoryClockMhz() {
        return clock(nvml.NVML_CLOCK_MEM, "memory");
    }

    private int clock(int type, String what) {
        int[] v = new int[1];
        Check.nvml(nvml.nvmlDeviceGetClockInfo(handle, type, v), "nvmlDeviceGetClockInfo(" + what + ", " + index + ")");
        return v[0];
    }

    /** Memory clocks the device supports, MHz, highest first. */
    public int[] supportedMemoryClocksMhz() {
        int[] count = {MAX_CLOCKS};
        int[] clocks = new int[MAX_CLOCKS];
        Check.nvml(nvml.nvmlDeviceGetSupportedMemoryClocks(handle, count, clocks), "nvmlDeviceGetSupportedMemoryClocks(" + index + ")");
        return java.util.Arrays.copyOf(clocks, count[0]);
    }

    /** Graphics clocks the device supports with memory at {@code memoryClockMhz}, MHz, highest first. */
    public int[] supportedGraphicsClocksMhz(int memoryClockMhz) {
        int[] count = {MAX_CLOCKS};
        int[] clocks = new int[MAX_CLOCKS];
        Check.nvml(nvml.nvmlDeviceGetSupportedGraphicsClocks(handle, memoryClockMhz, count, clocks),
                "nvmlDeviceGetSupportedGraphicsClocks(" + index + ", " + memoryClockMhz + " MHz)");
        return java.util.Arrays.copyOf(clocks, count[0]);
    }

    /** The PCI bus id, e.g. {@code 00000000:1B:00.0}. */
    public String pciBusId() {
        try (org.bytedeco.cuda.nvml.nvmlPciInfo_t pci = new org.bytedeco.cuda.nvml.nvmlPciInfo_t()) {
            Check.nvml(nvml.nvmlDeviceGetPciInfo_v3(handle, pci), "nvmlDeviceGetPciInfo(" + index + ")");
            return pci.busId().getString().strip();
        }
    }

    /**
     * The PCI bus ids at the far end of this device's active NVLinks, one per link (a peer reached by
     * four links appears four times); empty where the device has no NVLink.
     */
    public java.util.List<String> nvLinkPeers() {
        java.util.List<String> peers = new java.util.ArrayList<>();
        for (int link = 0; link < nvml.NVML_NVLINK_MAX_LINKS; link++) {
            int[] state = new int[1];
            int status = nvml.nvmlDeviceGetNvLinkState(handle, link, state);
            if (status == nvml.NVML_ERROR_NOT_SUPPORTED || status == nvml.NVML_ERROR_INVALID_ARGUMENT) {
                break; // no NVLink, or no more links
            }
            Check.nvml(status, "nvmlDeviceGetNvLinkState(" + index + ", link " + link + ")");
            if (state[0] != nvml.NVML_FEATURE_ENABLED) {
                continue;
            }
            try (org.bytedeco.cuda.nvml.nvmlPciInfo_t pci = new org.bytedeco.cuda.nvml.nvmlPciInfo_t()) {
                Check.nvml(nvml.nvmlDeviceGetNvLinkRemotePciInfo_v2(handle, link, pci), "nvmlDeviceGetNvLinkRemotePciInfo(" + index + ")");
                peers.add(pci.busId().getString().strip());
            }
        }
        return peers;
    }

    /**
     * How data travels from this device to {@code other} over PCIe, in nvidia-smi topo's words:
     * {@code PIX} (one PCIe switch), {@code PXB} (several switches), {@code PHB} (a host bridge),
     * {@code NODE} (host bridges within a NUMA node), {@code SYS} (across NUMA nodes), {@code X} (the
     * same board).
     */
    public String pcieLevel(NvmlDevice other) {
        int[] level = new int[1];
        Check.nvml(nvml.nvmlDeviceGetTopologyCommonAncestor(handle, other.handle, level),
                "nvmlDeviceGetTopologyCommonAncestor(" + index + ", " + other.index + ")");
        int l = level[0];
        if (l == nvml.NVML_TOPOLOGY_INTERNAL) {
            return "X";
        } else if (l == nvml.NVML_TOPOLOGY_SINGLE) {
            return "PIX";
        } else if (l == nvml.NVML_TOPOLOGY_MULTIPLE) {
            return "PXB";
        } else if (l == nvml.NVML_TOPOLOGY_HOSTBRIDGE) {
            return "PHB";
        } else if (l == nvml.NVML_TOPOLOGY_NODE) {
            return "NODE";
        }
        return "SYS";
    }

    @Override
    public String toString() {
        return "NvmlDevice[" + index + "]";
    }
}
