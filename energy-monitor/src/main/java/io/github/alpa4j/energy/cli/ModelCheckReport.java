package io.github.alpa4j.energy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.OutputFile;
import io.github.alpa4j.energy.calibration.Errors;
import io.github.alpa4j.energy.calibration.ModelCheck;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.GpuSpecJson;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code alpa4j energy check-model}, free of any CLI library: the model's normalised time and
 * energy beside a measured profile's, instruction by instruction, and the frontier's saving at no
 * slowdown from each ({@link ModelCheck}); optionally all of it, point by point, as JSON.
 */
public final class ModelCheckReport {
    private ModelCheckReport() {
    }

    /**
     * @param blockingWatts P_block for the savings; empty takes the GPU's static power
     * @param json where to write every point, or empty
     */
    public static String run(Path profileFile, GpuSpec gpu, int microbatches, Optional<Double> blockingWatts,
                             double tauSeconds, Optional<Path> json) {
        if (microbatches < 1) {
            throw new EnergyInputException("--microbatches must be at least 1, got " + microbatches);
        }
        if (!(tauSeconds > 0) || !Double.isFinite(tauSeconds)) {
            throw new EnergyInputException("--tau-ms must be positive, got " + tauSeconds * 1e3);
        }
        double watts = blockingWatts.orElse(gpu.staticWatts());
        if (!(watts >= 0) || !Double.isFinite(watts)) {
            throw new EnergyInputException("--p-blocking must be a power of 0 W or more, got " + watts);
        }
        Profile profile = ProfileCsv.read(profileFile);
        ModelCheck check = ModelCheck.of(profile, gpu, microbatches, watts, tauSeconds);
        json.ifPresent(path -> OutputFile.write(path, document(check, profileFile.toString())));
        return render(check, profileFile.toString()) + json.map(p -> "check written to " + p + "\n").orElse("");
    }

    static String render(ModelCheck check, String profile) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model check: %s against %s%nGPU numbers: %s%n", check.gpu().name(),
                profile, check.gpu().basis()));
        out.append("time and energy at each measured clock over their values at the highest one, model / measured - 1\n");
        out.append(String.format(Locale.ROOT, "  %-20s %14s %20s %20s%n", "instruction", "compute-bound",
                "time median / max", "energy median / max"));
        for (ModelCheck.InstructionCheck i : check.instructions()) {
            out.append(String.format(Locale.ROOT, "  %-20s %14s %20s %20s%n", i.curve().label(),
                    CalibrationReport.percent(i.time().computeFraction()), pair(i.timeErrors()), pair(i.energyErrors())));
        }
        out.append(String.format(Locale.ROOT, "all %d points: time median %s, largest %s; energy median %s, largest %s%n",
                check.time().count(), CalibrationReport.percent(check.time().median()),
                CalibrationReport.percent(check.time().largest()), CalibrationReport.percent(check.energy().median()),
                CalibrationReport.percent(check.energy().largest())));
        ModelCheck.Saving s = check.saving();
        out.append(String.format(Locale.ROOT, "saving at no slowdown (%d stages x %d microbatches, 1f1b, P_block %.2f W, "
                + "tau %s ms): measured %.2f %%, model %.2f %%%n", check.instructions().size() / 2, s.microbatches(),
                s.blockingWatts(), trim(s.tauSeconds() * 1e3), s.measuredPercent(), s.modelPercent()));
        return out.toString();
    }

    static String document(ModelCheck check, String profile) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("profile", profile);
        root.set("gpu", GpuSpecJson.tree(check.gpu()));
        CalibrationReport.errors(root.putObject("time_errors"), check.time());
        CalibrationReport.errors(root.putObject("energy_errors"), check.energy());
        ObjectNode s = root.putObject("saving");
        s.put("microbatches", check.saving().microbatches());
        s.put("p_blocking_watts", check.saving().blockingWatts());
        s.put("tau_seconds", check.saving().tauSeconds());
        s.put("measured_percent", check.saving().measuredPercent());
        s.put("model_percent", check.saving().modelPercent());
        ArrayNode instructions = root.putArray("instructions");
        for (ModelCheck.InstructionCheck i : check.instructions()) {
            ObjectNode n = instructions.addObject();
            n.put("stage", i.curve().stage());
            n.put("instruction", i.curve().instruction().csvName());
            n.put("compute_fraction", i.time().computeFraction());
            n.put("time_at_max_clock_seconds", i.time().atMaxClockSeconds());
            CalibrationReport.errors(n.putObject("time_errors"), i.timeErrors());
            CalibrationReport.errors(n.putObject("energy_errors"), i.energyErrors());
            ArrayNode points = n.putArray("points");
            for (ModelCheck.Point p : i.points()) {
                ObjectNode q = points.addObject();
                q.put("frequency_mhz", p.frequencyMhz());
                q.put("measured_time", p.measuredTime());
                q.put("model_time", p.modelTime());
                q.put("measured_energy", p.measuredEnergy());
                q.put("model_energy", p.modelEnergy());
            }
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pair(Errors e) {
        return String.format(Locale.ROOT, "%.2f / %.2f %%", 100 * e.median(), 100 * e.largest());
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
