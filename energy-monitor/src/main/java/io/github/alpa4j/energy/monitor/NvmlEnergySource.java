package io.github.alpa4j.energy.monitor;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.Nvml;
import io.github.alpa4j.cuda.NvmlDevice;
import java.util.ArrayList;
import java.util.List;

/** Energy counters and power of some GPUs through NVML (read only; no privilege needed). */
public final class NvmlEnergySource implements EnergySource, AutoCloseable {
    private final Nvml nvml;
    private final List<NvmlDevice> devices;

    private NvmlEnergySource(Nvml nvml, List<NvmlDevice> devices) {
        this.nvml = nvml;
        this.devices = devices;
    }

    /**
     * Opens NVML and checks that each GPU (NVML's numbering) reports its energy counter.
     *
     * @throws CudaUnavailableException with one line saying what is missing: the driver, NVML, the
     *     GPU, or a counter (GPUs older than Volta have none)
     */
    public static NvmlEnergySource open(int... nvmlIndices) {
        Gpu.require(CudaLibrary.NVML);
        Nvml nvml = Nvml.open();
        try {
            int count = nvml.deviceCount();
            List<NvmlDevice> ds = new ArrayList<>();
            for (int i : nvmlIndices) {
                if (i < 0 || i >= count) {
                    throw new CudaUnavailableException("NVML sees " + count + " GPUs, not a GPU " + i);
                }
                NvmlDevice d = device(nvml, i);
                try {
                    d.totalEnergyMillijoules();
                    d.powerMilliwatts();
                } catch (CudaException e) {
                    throw new CudaUnavailableException("GPU " + i + " (" + d.name() + ") reports no energy counter or power: " + e.getMessage());
                }
                ds.add(d);
            }
            return new NvmlEnergySource(nvml, List.copyOf(ds));
        } catch (RuntimeException e) {
            nvml.close();
            throw e;
        }
    }

    /** GPU {@code i}'s handle; NVML refuses it, for one, when the device files deny this user. */
    private static NvmlDevice device(Nvml nvml, int i) {
        try {
            return nvml.device(i);
        } catch (CudaException e) {
            throw new CudaUnavailableException("NVML cannot open GPU " + i + ": " + e.getMessage());
        }
    }

    @Override
    public int gpuCount() {
        return devices.size();
    }

    @Override
    public long energyMillijoules(int gpu) {
        return devices.get(gpu).totalEnergyMillijoules();
    }

    @Override
    public int powerMilliwatts(int gpu) {
        return devices.get(gpu).powerMilliwatts();
    }

    @Override
    public void close() {
        nvml.close();
    }
}
