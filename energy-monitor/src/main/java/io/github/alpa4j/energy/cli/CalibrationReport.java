package io.github.alpa4j.energy.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.energy.calibration.Calibration;
import io.github.alpa4j.energy.calibration.DvfsCalibration;
import io.github.alpa4j.energy.calibration.Errors;
import io.github.alpa4j.energy.model.GpuDatasheet;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import io.github.alpa4j.energy.model.PowerCurve;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code alpa4j energy calibrate}, free of any CLI library: fits the GPU's power curve to a
 * measured profile, writes the GPU file (docs/energy-model.md) and returns the report: the fitted
 * numbers, the residuals, and each instruction's compute-bound share.
 */
public final class CalibrationReport {
    private CalibrationReport() {
    }

    /** Fits, writes {@code out} (whole or not at all) and returns the report text. */
    public static String run(Path profileFile, GpuSpec start, DvfsCalibration.Options options, Path out) {
        Profile profile = ProfileCsv.read(profileFile);
        Calibration fit = DvfsCalibration.fit(profile, start, options);
        String source = profileFile.getFileName().toString();
        GpuSpec gpu = new GpuSpec(fit.gpu().datasheet(), fit.gpu().power(), String.format(Locale.ROOT,
                "fitted by alpa4j energy calibrate on %s (%d points; time rms %.2f %%, energy rms %.2f %%)", source,
                fit.time().count(), 100 * fit.time().rms(), 100 * fit.energy().rms()));
        GpuSpecJson.write(out, document(gpu, fit, source, options));
        return render(gpu, fit, source, options) + "GPU file written to " + out + "\n";
    }

    static String render(GpuSpec gpu, Calibration fit, String source, DvfsCalibration.Options options) {
        GpuDatasheet d = gpu.datasheet();
        PowerCurve p = gpu.power();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "calibrated %s on %s: %d instructions, %d points%n", gpu.name(), source,
                fit.instructions().size(), fit.time().count()));
        out.append(String.format(Locale.ROOT, "datasheet (held): %.1f TFLOP/s, %.0f GB/s, %d-%d MHz, limit %.0f W%n",
                d.peakFlopsPerSecond() / 1e12, d.memoryBandwidthBytesPerSecond() / 1e9, d.minClockMhz(),
                d.maxClockMhz(), d.powerLimitWatts()));
        out.append(String.format(Locale.ROOT, "static power %.2f W (%s), memory power %.1f W (%s)%n", d.staticWatts(),
                options.fitStatic() ? "fitted" : "held", p.memoryWatts(), options.fitMemory() ? "fitted" : "held"));
        out.append(String.format(Locale.ROOT, "fitted: SM power %.1f W at %d MHz and full voltage; voltage knee %.0f MHz, "
                + "floor %.3f of the top voltage; power cap %.1f W%n", p.smDynamicWatts(), d.maxClockMhz(),
                p.kneeClockMhz(), p.kneeVoltage(), p.capWatts()));
        out.append(String.format(Locale.ROOT, "residuals (model / measured - 1): time rms %s, largest %s; energy rms %s, "
                + "largest %s%n", percent(fit.time().rms()), percent(fit.time().largest()), percent(fit.energy().rms()),
                percent(fit.energy().largest())));
        out.append(String.format(Locale.ROOT, "  %-20s %14s %14s %18s %18s%n", "instruction", "compute-bound",
                "at top clock", "time rms / max", "energy rms / max"));
        for (Calibration.InstructionFit f : fit.instructions()) {
            out.append(String.format(Locale.ROOT, "  %-20s %14s %11.2f ms %18s %18s%n", f.curve().label(),
                    percent(f.time().computeFraction()), 1e3 * f.time().atMaxClockSeconds(), pair(f.timeErrors()),
                    pair(f.energyErrors())));
        }
        return out.toString();
    }

    static ObjectNode document(GpuSpec gpu, Calibration fit, String source, DvfsCalibration.Options options) {
        ObjectNode root = GpuSpecJson.tree(gpu);
        ObjectNode c = root.putObject("calibration");
        c.put("profile", source);
        c.put("fitted_static_power", options.fitStatic());
        c.put("fitted_memory_power", options.fitMemory());
        errors(c.putObject("time_residuals"), fit.time());
        errors(c.putObject("energy_residuals"), fit.energy());
        ArrayNode instructions = c.putArray("instructions");
        for (Calibration.InstructionFit f : fit.instructions()) {
            ObjectNode i = instructions.addObject();
            i.put("stage", f.curve().stage());
            i.put("instruction", f.curve().instruction().csvName());
            i.put("compute_seconds", f.time().computeSeconds());
            i.put("memory_seconds", f.time().memorySeconds());
            i.put("compute_fraction", f.time().computeFraction());
        }
        return root;
    }

    static void errors(ObjectNode n, Errors e) {
        n.put("median", e.median());
        n.put("largest", e.largest());
        n.put("rms", e.rms());
        n.put("points", e.count());
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * fraction);
    }

    private static String pair(Errors e) {
        return String.format(Locale.ROOT, "%.2f / %.2f %%", 100 * e.rms(), 100 * e.largest());
    }
}
