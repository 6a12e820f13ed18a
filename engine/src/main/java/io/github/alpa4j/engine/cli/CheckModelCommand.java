package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.cli.ModelCheckReport;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alpa4j energy check-model}: the energy model's curves beside a measured profile's. */
@Command(name = "check-model", mixinStandardHelpOptions = true,
        description = {"Compare the DVFS energy model with a measured profile: normalised time and energy at every measured clock,",
            "their median and largest relative error, and the frontier's saving at no slowdown from each."})
public class CheckModelCommand implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "Measured profile CSV: stage,instruction,frequency,time,energy.")
    Path profile;

    @Option(names = "--gpu", required = true, description = "The model's GPU: a100|a40|h100|v100 or a GPU file from 'energy calibrate'.")
    String gpu;

    @Option(names = "--datasheet",
            description = "Carry --gpu's power curve over to this GPU's datasheet first (a100|a40|h100|v100 or a GPU file): checks a fit on another GPU.")
    String datasheet;

    @Option(names = "--microbatches", defaultValue = "12", description = "Microbatches for the savings (default: ${DEFAULT-VALUE}).")
    int microbatches;

    @Option(names = "--p-blocking", description = "GPU power while blocked, W, for the savings (default: the GPU's static power).")
    Double blockingWatts;

    @Option(names = "--tau-ms", defaultValue = "1", description = "Time quantum for the savings, ms (default: ${DEFAULT-VALUE}).")
    double tauMs;

    @Option(names = "--json", description = "Write every point and the summary to this JSON file.")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GpuSpec model = GpuSpecJson.resolve(gpu);
        if (datasheet != null) {
            model = model.onDatasheet(GpuSpecJson.resolve(datasheet).datasheet());
        }
        String report = ModelCheckReport.run(profile, model, microbatches, Optional.ofNullable(blockingWatts), tauMs / 1000,
                Optional.ofNullable(json));
        spec.commandLine().getOut().print(report);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
