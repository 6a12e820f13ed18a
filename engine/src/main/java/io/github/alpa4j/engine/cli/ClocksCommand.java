package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Nvml;
import io.github.alpa4j.cuda.NvmlDevice;
import io.github.alpa4j.energy.control.FrequencyController;
import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.control.FrequencyPlanCsv;
import io.github.alpa4j.energy.control.NvmlClocks;
import io.github.alpa4j.engine.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpa4j energy clocks}: a GPU's graphics clocks and whether this process may set them;
 * with {@code --plan}, runs a frequency plan through the controller in schedule order. Without
 * {@code --apply-clocks} (the default) it only says what it would set; with it, each clock is
 * really locked in turn and reset at the end, which checks privileges and clocks before a run.
 */
@Command(name = "clocks", mixinStandardHelpOptions = true,
        description = {"Show a GPU's graphics clocks; with --plan, step through a frequency plan (instruction,frequency CSV).",
                "Nothing is changed unless --apply-clocks is given (needs root or CAP_SYS_ADMIN); clocks are reset at the end."})
public class ClocksCommand implements Callable<Integer> {
    @Option(names = "--gpu", defaultValue = "0", description = "GPU index in NVML's order (default: ${DEFAULT-VALUE}).")
    int gpu;

    @Option(names = "--plan", description = "Frequency plan CSV: header instruction,frequency; one row per instruction in schedule order.")
    Path plan;

    @Option(names = "--apply-clocks", description = "Really lock each planned clock in turn, then reset (default: only report).")
    boolean applyClocks;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (applyClocks && plan == null) {
            throw new UserInputException("--apply-clocks needs --plan (the clocks to apply)");
        }
        FrequencyPlan p = plan == null ? null : FrequencyPlanCsv.read(plan);
        PrintWriter out = spec.commandLine().getOut();
        Nvml nvml;
        try {
            nvml = Nvml.open();
        } catch (CudaUnavailableException e) {
            throw new UserInputException("energy clocks needs NVML and the NVIDIA driver: " + e.getMessage(), e);
        }
        try (nvml) {
            if (gpu < 0 || gpu >= nvml.deviceCount()) {
                throw new UserInputException("--gpu " + gpu + ": NVML sees " + nvml.deviceCount() + " GPUs");
            }
            NvmlDevice d;
            try {
                d = nvml.device(gpu);
            } catch (CudaException e) {
                throw new UserInputException("energy clocks: NVML cannot open GPU " + gpu + ": " + e.getMessage(), e);
            }
            NvmlClocks clocks = new NvmlClocks(d);
            int[] supported;
            try {
                supported = clocks.supportedGraphicsClocksMhz();
            } catch (CudaException e) {
                throw new UserInputException("GPU " + gpu + " (" + d.name() + ") does not list its clocks: " + e.getMessage(), e);
            }
            int[] sorted = supported.clone();
            Arrays.sort(sorted);
            out.printf("GPU %d: %s, graphics clock %d MHz now; %d supported clocks, %d-%d MHz; may set clocks: %s%n", gpu, d.name(),
                    clocks.currentGraphicsClockMhz(), sorted.length, sorted[0], sorted[sorted.length - 1], clocks.canSetClocks() ? "yes" : "no");
            if (p != null) {
                try (FrequencyController c = FrequencyController.open(clocks, p, applyClocks, line -> {
                    out.println(line);
                    out.flush();
                })) {
                    for (FrequencyPlan.Step s : p.steps()) {
                        c.onInstruction(s.instruction());
                    }
                    c.awaitApplied();
                    if (c.failure() != null) {
                        throw new UserInputException("applying the plan failed (clocks reset): " + c.failure().getMessage(), c.failure());
                    }
                }
                out.printf("%d instructions %s%n", p.steps().size(),
                        applyClocks ? "applied in order; clocks reset" : "checked against the GPU (dry run: nothing set; --apply-clocks to set them)");
            }
        }
        out.flush();
        return 0;
    }
}
