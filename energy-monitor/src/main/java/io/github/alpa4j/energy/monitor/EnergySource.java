package io.github.alpa4j.energy.monitor;

/**
 * Where the {@link EnergyMonitor} reads each GPU's energy counter and power: NVML
 * ({@link NvmlEnergySource}), or a scripted fake in tests.
 */
public interface EnergySource {
    /** GPUs read, numbered 0.. in the order the monitor reports them. */
    int gpuCount();

    /** Energy the GPU used since some fixed origin (NVML: driver load), millijoules; never decreases. */
    long energyMillijoules(int gpu);

    /** Board power now, milliwatts (NVML: a one-second average on Ampere and newer). */
    int powerMilliwatts(int gpu);
}
