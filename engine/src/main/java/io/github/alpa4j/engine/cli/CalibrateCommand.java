package io.github.alpa4j.engine.cli;

import io.github.alpa4j.energy.calibration.DvfsCalibration;
import io.github.alpa4j.energy.cli.CalibrationReport;
import io.github.alpa4j.energy.model.GpuSpecJson;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alpa4j energy calibrate}: the energy model's GPU fitted to a measured profile. */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Fit the DVFS energy model's power curve for a GPU to a measured profile (least squares on time and energy",
            "at every measured clock) and write a GPU file for 'energy frontier --model --gpu' and 'energy check-model'."})
public class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--profile", required = true, description = "Measured profile CSV: stage,instruction,frequency,time,energy.")
    Path profile;

    @Option(names = "--gpu", required = true,
            description = "The GPU that was measured: a100|a40|h100|v100 or a GPU file; its datasheet is held, its power curve is the fit's start.")
    String gpu;

    @Option(names = "--out", required = true, description = "Where to write the fitted GPU file (JSON, docs/energy-model.md).")
    Path out;

    @Option(names = "--fit-static", description = "Also fit the static power (default: hold the GPU's blocked power).")
    boolean fitStatic;

    @Option(names = "--fit-memory", description = "Also fit the memory power (default: hold the GPU's).")
    boolean fitMemory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String report = CalibrationReport.run(profile, GpuSpecJson.resolve(gpu),
                new DvfsCalibration.Options(fitStatic, fitMemory), out);
        spec.commandLine().getOut().print(report);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
