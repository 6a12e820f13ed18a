package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code alpa4j doctor}: what CUDA pieces this machine has, and what to install for the missing ones. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Report the NVIDIA driver, GPUs and CUDA libraries found, with what to install when one is missing.")
public class DoctorCommand implements Callable<Integer> {
    @Option(names = "--require-gpu", description = "Exit with code 1 when no usable GPU is found (for scripts).")
    boolean requireGpu;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GpuReport r = Gpu.probe();
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.print(r.render());
        if (r.available()) {
            multiGpu(r, out);
        }
        out.flush();
        return requireGpu && !r.available() ? 1 : 0;
    }

    /** What multi-GPU training depends on: the NCCL version and how the GPUs are linked (read-only NVML). */
    private static void multiGpu(GpuReport r, java.io.PrintWriter out) {
        if (r.has(io.github.alpa4j.cuda.CudaLibrary.NCCL)) {
            try {
                out.println("NCCL " + io.github.alpa4j.cuda.NcclComm.version() + " (collectives between GPUs and processes)");
            } catch (RuntimeException e) {
                out.println("NCCL: cannot read its version: " + e.getMessage());
            }
        } else {
            out.println("NCCL: missing; multi-GPU training needs it (libnccl.so.2, e.g. the nvidia-nccl-cu13 package)");
        }
        try (io.github.alpa4j.cuda.Nvml nvml = io.github.alpa4j.cuda.Nvml.open()) {
            io.github.alpa4j.cuda.GpuTopology t = io.github.alpa4j.cuda.GpuTopology.read(nvml);
            out.println("topology (NVML; NV<k>: k NVLinks, else the PCIe path as nvidia-smi topo -m names it):");
            out.print(t.render());
        } catch (RuntimeException e) {
            out.println("topology: cannot read it through NVML: " + e.getMessage());
        }
    }
}
