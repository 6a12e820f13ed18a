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
        spec.commandLine().getOut().print(r.render());
        spec.commandLine().getOut().flush();
        return requireGpu && !r.available() ? 1 : 0;
    }
}
