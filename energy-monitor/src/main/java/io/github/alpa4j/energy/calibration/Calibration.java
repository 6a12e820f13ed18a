package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.DvfsEstimate;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.profile.Measurement;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link DvfsCalibration} found: the fitted GPU, each instruction's time split, and the
 * residuals (relative errors of the fitted model against the measurements, not normalised).
 *
 * @param gpu the datasheet with the fitted power curve
 * @param instructions one fit per measured (stage, instruction), in profile order
 * @param time relative errors of time over every measured point
 * @param energy relative errors of energy over every measured point
 */
public record Calibration(GpuSpec gpu, List<InstructionFit> instructions, Errors time, Errors energy) {
    public Calibration {
        instructions = List.copyOf(instructions);
    }

    /** One measured instruction's fitted time split and its residuals. */
    public record InstructionFit(Curve curve, InstructionTime time, Errors timeErrors, Errors energyErrors) {
    }

    static Calibration of(GpuSpec gpu, List<Curve> curves, List<InstructionTime> times) {
        List<InstructionFit> fits = new ArrayList<>();
        List<Double> allTime = new ArrayList<>();
        List<Double> allEnergy = new ArrayList<>();
        for (int c = 0; c < curves.size(); c++) {
            List<Double> t = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (Measurement m : curves.get(c).rows()) {
                DvfsEstimate p = DvfsEnergyModel.estimate(gpu, times.get(c), m.frequencyMhz());
                t.add(p.timeSeconds() / m.timeSeconds() - 1);
                e.add(p.energyJoules() / m.energyJoules() - 1);
            }
            allTime.addAll(t);
            allEnergy.addAll(e);
            fits.add(new InstructionFit(curves.get(c), times.get(c), Errors.of(t), Errors.of(e)));
        }
        return new Calibration(gpu, fits, Errors.of(allTime), Errors.of(allEnergy));
    }
}
