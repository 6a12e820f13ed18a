package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.frontier.PhillipsDessouky;
import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.DvfsEstimate;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.plan.Deadline;
import io.github.alpa4j.energy.plan.PlanChoice;
import io.github.alpa4j.energy.profile.Dominance;
import io.github.alpa4j.energy.profile.FittedProfile;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * How well a GPU's energy model predicts a measured profile ({@code alpa4j energy check-model}).
 * Each instruction's time split comes from its measured times ({@link InstructionTimeFit}); the
 * model's time and energy at every measured clock are then divided by the model's own values at
 * the highest measured clock, the measurements by theirs, so a profile of another model size, or a
 * GPU file carried over from another GPU, compares by shape.
 *
 * @param gpu the model's GPU
 * @param instructions one check per measured (stage, instruction)
 * @param time relative errors of normalised time over every point
 * @param energy relative errors of normalised energy over every point
 * @param saving the frontier's saving at no slowdown from the measurements and from the model
 */
public record ModelCheck(GpuSpec gpu, List<InstructionCheck> instructions, Errors time, Errors energy,
                         Saving saving) {
    public ModelCheck {
        instructions = List.copyOf(instructions);
    }

    /** One instruction: its time split and, at every measured clock, normalised values side by side. */
    public record InstructionCheck(Curve curve, InstructionTime time, List<Point> points, Errors timeErrors,
                                   Errors energyErrors) {
        public InstructionCheck {
            points = List.copyOf(points);
        }
    }

    /** Time and energy at one clock, each divided by its value at the highest measured clock. */
    public record Point(int frequencyMhz, double measuredTime, double modelTime, double measuredEnergy,
                        double modelEnergy) {
    }

    /**
     * Perseus's saving at no slowdown (synchronous 1F1B, options filtered on raw energy, as the
     * authors did), for the measured profile and for the model's: the measured time and energy at
     * the highest clock of each instruction, scaled by the model's normalised curve.
     */
    public record Saving(int microbatches, double blockingWatts, double tauSeconds, double measuredPercent,
                         double modelPercent) {
    }

    public static ModelCheck of(Profile profile, GpuSpec gpu, int microbatches, double blockingWatts, double tauSeconds) {
        List<Curve> curves = Curve.of(profile, gpu);
        List<InstructionCheck> checks = new ArrayList<>();
        List<Double> allTime = new ArrayList<>();
        List<Double> allEnergy = new ArrayList<>();
        List<Measurement> modelRows = new ArrayList<>();
        for (Curve curve : curves) {
            InstructionTime time = InstructionTimeFit.fit(gpu, curve);
            DvfsEstimate top = DvfsEnergyModel.estimate(gpu, time, curve.fastest().frequencyMhz());
            Measurement measuredTop = curve.fastest();
            List<Point> points = new ArrayList<>();
            List<Double> t = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (Measurement m : curve.rows()) {
                DvfsEstimate p = DvfsEnergyModel.estimate(gpu, time, m.frequencyMhz());
                Point point = new Point(m.frequencyMhz(), m.timeSeconds() / measuredTop.timeSeconds(),
                        p.timeSeconds() / top.timeSeconds(), m.energyJoules() / measuredTop.energyJoules(),
                        p.energyJoules() / top.energyJoules());
                points.add(point);
                t.add(point.modelTime() / point.measuredTime() - 1);
                e.add(point.modelEnergy() / point.measuredEnergy() - 1);
                modelRows.add(new Measurement(curve.stage(), curve.instruction(), m.frequencyMhz(),
                        measuredTop.timeSeconds() * point.modelTime(), measuredTop.energyJoules() * point.modelEnergy()));
            }
            allTime.addAll(t);
            allEnergy.addAll(e);
            checks.add(new InstructionCheck(curve, time, points, Errors.of(t), Errors.of(e)));
        }
        Saving saving = new Saving(microbatches, blockingWatts, tauSeconds,
                savingPercent(profile, microbatches, blockingWatts, tauSeconds),
                savingPercent(new Profile(modelRows), microbatches, blockingWatts, tauSeconds));
        return new ModelCheck(gpu, checks, Errors.of(allTime), Errors.of(allEnergy), saving);
    }

    private static double savingPercent(Profile profile, int microbatches, double blockingWatts, double tauSeconds) {
        PipelineDag dag = PipelineDag.build(profile.stageCount(), microbatches, PipelineSchedule.ONE_F_ONE_B);
        FittedProfile fitted = FittedProfile.fit(profile, tauSeconds, blockingWatts, Dominance.RAW_ENERGY);
        return PlanChoice.choose(PhillipsDessouky.frontier(dag, fitted), profile, new Deadline.NoStraggler())
                .savingPercent();
    }
}
