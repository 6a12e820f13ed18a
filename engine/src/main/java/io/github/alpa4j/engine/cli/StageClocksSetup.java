package io.github.alpa4j.engine.cli;

import io.github.alpa4j.cuda.CudaException;
import io.github.alpa4j.cuda.CudaUnavailableException;
import io.github.alpa4j.cuda.Nvml;
import io.github.alpa4j.energy.control.NvmlClocks;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.energy.ModelledClocks;
import io.github.alpa4j.engine.energy.PlanFrequencies;
import io.github.alpa4j.engine.energy.StageClocks;
import io.github.alpa4j.planner.stage.PipelinePlan;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code train --pipeline --frequency-plan}: the dry-run controllers of a plan JSON's frequency plan. On
 * simulated CPU devices each device checks the plan against the clocks of the GPU it was planned for; on
 * the CUDA backend against its GPU's clocks read through NVML (GPU 0 where the logical devices share it).
 */
final class StageClocksSetup {
    /** Dry-run lines printed as they come; the rest are counted. */
    static final int LINES_SHOWN = 6;

    private StageClocksSetup() {
    }

    /** {@code gpus}: the GPU of each device (one GPU per device), or null when the devices share GPU 0. */
    static StageClocks open(PipelinePlan plan, PlanFrequencies frequencies, boolean cuda, int[] gpus, PrintWriter out) {
        AtomicInteger lines = new AtomicInteger();
        java.util.function.Consumer<String> log = line -> {
            if (lines.incrementAndGet() <= LINES_SHOWN) {
                synchronized (out) {
                    out.println("frequency plan (dry run): " + line);
                    out.flush();
                }
            }
        };
        out.printf("frequency plan: %d stages x %d microbatches planned for %s; dry run: each change is reported (the first %d shown), none set%n",
                frequencies.stages().size(), frequencies.microbatches(), frequencies.gpu().isEmpty() ? "an unnamed GPU" : frequencies.gpu(),
                LINES_SHOWN);
        if (!cuda) {
            GpuSpec spec = GpuSpec.PRESETS.stream().map(p -> GpuSpec.preset(p).orElseThrow()).filter(g -> g.name().equals(frequencies.gpu()))
                    .findFirst().orElseThrow(() -> new UserInputException("--frequency-plan: simulated devices check clocks against a GPU preset ("
                            + String.join(", ", GpuSpec.PRESETS) + "); the plan names '" + frequencies.gpu() + "'"));
            return StageClocks.open(plan, frequencies, d -> new ModelledClocks(d, spec), false, log);
        }
        Nvml nvml;
        try {
            nvml = Nvml.open();
        } catch (CudaUnavailableException e) {
            throw new UserInputException("--frequency-plan on --backend cuda reads GPU 0's clocks through NVML: " + e.getMessage(), e);
        }
        try {
            java.util.Map<Integer, NvmlClocks> byGpu = new java.util.HashMap<>();
            for (int d = 0; d < plan.deviceCount(); d++) {
                int g = gpus == null ? 0 : gpus[d];
                if (!byGpu.containsKey(g)) {
                    byGpu.put(g, new NvmlClocks(nvml.device(g)));
                }
            }
            return StageClocks.open(plan, frequencies, d -> byGpu.get(gpus == null ? 0 : gpus[d]), false, log).closing(nvml);
        } catch (CudaException e) {
            nvml.close();
            throw new UserInputException("--frequency-plan: NVML cannot read GPU 0's clocks: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            nvml.close();
            throw e;
        }
    }
}
