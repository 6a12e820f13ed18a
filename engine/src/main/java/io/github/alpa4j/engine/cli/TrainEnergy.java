package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.energy.monitor.NvmlEnergySource;
import io.github.alpa4j.engine.UserInputException;

/** {@code train --energy}: GPU 0's energy counter through NVML. */
final class TrainEnergy {
    private TrainEnergy() {
    }

    /** GPU 0's energy counter, or a one-line error saying why it cannot be read. */
    static NvmlEnergySource open(int energySampleMs, boolean cuda) {
        if (energySampleMs <= 0) {
            throw new UserInputException("--energy-sample-ms must be positive, got " + energySampleMs);
        }
        NvmlEnergySource src;
        try {
            src = NvmlEnergySource.open(0);
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--energy needs NVML and the NVIDIA driver: " + e.getMessage(), e);
        }
        if (!cuda) {
            src.close();
            throw new UserInputException("--energy measures the GPU's energy: use it with --backend cuda (the CPU's energy is not measured)");
        }
        return src;
    }
}
