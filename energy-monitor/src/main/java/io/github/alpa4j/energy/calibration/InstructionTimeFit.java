package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.profile.Measurement;

import java.util.ArrayList;
import java.util.List;

/**
 * An instruction's compute-bound and memory-bound time on a given GPU, from its measured times
 * alone (least squares on relative time error, three starts: 30, 60, 90 % compute-bound). The
 * model check uses it so that energy is predicted, never fitted: the FLOPs and bytes behind a
 * measured instruction are unknown, and its times say how much of it scales with the clock.
 */
final class InstructionTimeFit {
    private static final double[] COMPUTE_FRACTION_STARTS = {0.3, 0.6, 0.9};

    private InstructionTimeFit() {
    }

    static InstructionTime fit(GpuSpec gpu, Curve curve) {
        List<Measurement> rows = curve.rows();
        LeastSquares.Residuals residuals = p -> {
            InstructionTime time = time(p);
            double[] r = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                Measurement m = rows.get(i);
                r[i] = DvfsEnergyModel.estimate(gpu, time, m.frequencyMhz()).timeSeconds() / m.timeSeconds() - 1;
            }
            return r;
        };
        double t = curve.fastest().timeSeconds();
        List<double[]> starts = new ArrayList<>();
        for (double f : COMPUTE_FRACTION_STARTS) {
            starts.add(new double[] {Math.log(f * t), Math.log((1 - f) * t)});
        }
        return time(LeastSquares.best(residuals, starts).parameters());
    }

    private static InstructionTime time(double[] p) {
        return new InstructionTime(Math.exp(p[0]), Math.exp(p[1]));
    }
}
