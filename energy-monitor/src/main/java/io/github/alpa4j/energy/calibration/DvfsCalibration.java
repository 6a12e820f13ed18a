package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.DvfsEstimate;
import io.github.alpa4j.energy.model.GpuDatasheet;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.model.PowerCurve;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Fits a GPU's {@link PowerCurve}, and each measured instruction's compute-bound and memory-bound
 * time, to a measured profile: least squares on the relative error of time and of energy at every
 * measured clock ({@code t_model / t_measured − 1}, {@code E_model / E_measured − 1}), all weighted
 * alike, by Commons Math's Levenberg–Marquardt from six starts (voltage knee at 55, 70 or 85 % of
 * the highest clock; 50 or 90 % of each instruction compute-bound).
 *
 * <p>The datasheet stays as given, static power included, and so does the memory power, unless
 * {@link Options} frees them: the published profiles do not pin them down. Fitted freely, static
 * power comes out at 50 W on the A100 profile (the GPU draws 84 W blocked) and 77 W on the A40's
 * (70 W blocked) for a change in rms residual under 0.1 point; memory power fits 0 on the A40 and
 * runs away to 1.9 kW on the A100, whose instructions are 85-89 % compute-bound, by trading against
 * the voltage curve. The measured blocked power and no memory power are the better numbers.
 *
 * <p>Parameters are fitted in unbounded coordinates: powers through exp (the cap as static power
 * plus an exp, so it stays above it), the knee through a logistic between the lowest and highest
 * clock, the voltage floor through a logistic between 0.2 and 1, a freed static power through a
 * logistic fraction of the power limit, a freed memory power squared.
 */
public final class DvfsCalibration {
    private static final double[] KNEE_STARTS = {0.55, 0.70, 0.85};
    private static final double[] COMPUTE_FRACTION_STARTS = {0.5, 0.9};
    private static final double VOLTAGE_FLOOR_LOW = 0.2;
    /** Keeps logistic coordinates where 1 − sigmoid is still distinguishable from 0. */
    private static final double COORDINATE_LIMIT = 30;

    /** Which of the datasheet-side powers to fit as well. */
    public record Options(boolean fitStatic, boolean fitMemory) {
        public static final Options DEFAULT = new Options(false, false);
    }

    private DvfsCalibration() {
    }

    public static Calibration fit(Profile profile, GpuSpec start, Options options) {
        List<Curve> curves = Curve.of(profile, start);
        Layout layout = new Layout(start, curves, options);
        LeastSquares.Minimum best = LeastSquares.best(layout, layout.starts());
        GpuSpec gpu = layout.gpu(best.parameters());
        List<InstructionTime> times = new ArrayList<>();
        for (int c = 0; c < curves.size(); c++) {
            times.add(layout.time(best.parameters(), c));
        }
        return Calibration.of(gpu, curves, times);
    }

    /** Where each parameter sits in the vector, and the residuals of a vector. */
    private static final class Layout implements LeastSquares.Residuals {
        private final GpuSpec start;
        private final List<Curve> curves;
        private final Options options;
        private final int globals;
        private final int[] offsets;
        private final int residualCount;

        Layout(GpuSpec start, List<Curve> curves, Options options) {
            this.start = start;
            this.curves = curves;
            this.options = options;
            this.globals = 4 + (options.fitStatic() ? 1 : 0) + (options.fitMemory() ? 1 : 0);
            this.offsets = new int[curves.size() + 1];
            for (int c = 0; c < curves.size(); c++) {
                offsets[c + 1] = offsets[c] + 2 * curves.get(c).rows().size();
            }
            this.residualCount = offsets[curves.size()];
        }

        List<double[]> starts() {
            GpuDatasheet d = start.datasheet();
            double highestPower = 0;
            for (Curve c : curves) {
                for (Measurement m : c.rows()) {
                    highestPower = Math.max(highestPower, m.energyJoules() / m.timeSeconds());
                }
            }
            double cap = Math.max(0.99 * highestPower, d.staticWatts() + 1);
            List<double[]> starts = new ArrayList<>();
            for (double knee : KNEE_STARTS) {
                for (double computeFraction : COMPUTE_FRACTION_STARTS) {
                    double[] p = new double[globals + 2 * curves.size()];
                    p[0] = Math.log(1.2 * (cap - d.staticWatts()));
                    p[1] = logit((knee * d.maxClockMhz() - d.minClockMhz()) / (d.maxClockMhz() - d.minClockMhz()));
                    p[2] = logit((0.7 - VOLTAGE_FLOOR_LOW) / (1 - VOLTAGE_FLOOR_LOW));
                    p[3] = Math.log(cap - d.staticWatts());
                    int k = 4;
                    if (options.fitStatic()) {
                        p[k++] = logit(d.staticWatts() / d.powerLimitWatts());
                    }
                    if (options.fitMemory()) {
                        p[k] = Math.sqrt(0.05 * d.powerLimitWatts());
                    }
                    for (int c = 0; c < curves.size(); c++) {
                        double t = curves.get(c).fastest().timeSeconds();
                        p[globals + 2 * c] = Math.log(computeFraction * t);
                        p[globals + 2 * c + 1] = Math.log((1 - computeFraction) * t);
                    }
                    starts.add(p);
                }
            }
            return starts;
        }

        GpuSpec gpu(double[] p) {
            GpuDatasheet d = start.datasheet();
            int k = 4;
            double staticWatts = options.fitStatic() ? d.powerLimitWatts() * sigmoid(p[k++]) : d.staticWatts();
            double memoryWatts = options.fitMemory() ? p[k] * p[k] : start.power().memoryWatts();
            GpuDatasheet datasheet = new GpuDatasheet(d.name(), d.peakFlopsPerSecond(), d.memoryBandwidthBytesPerSecond(),
                    d.minClockMhz(), d.maxClockMhz(), d.clockStepMhz(), d.powerLimitWatts(), staticWatts);
            double knee = d.minClockMhz() + (d.maxClockMhz() - d.minClockMhz()) * sigmoid(p[1]);
            double floor = VOLTAGE_FLOOR_LOW + (1 - VOLTAGE_FLOOR_LOW) * sigmoid(p[2]);
            PowerCurve power = new PowerCurve(Math.exp(p[0]), memoryWatts, knee, floor, staticWatts + Math.exp(p[3]));
            return new GpuSpec(datasheet, power, start.basis());
        }

        InstructionTime time(double[] p, int curve) {
            return new InstructionTime(Math.exp(p[globals + 2 * curve]), Math.exp(p[globals + 2 * curve + 1]));
        }

        @Override
        public double[] at(double[] p) {
            double[] r = new double[residualCount];
            GpuSpec gpu = gpu(p);
            for (int c = 0; c < curves.size(); c++) {
                fill(r, gpu, p, c);
            }
            return r;
        }

        /** Writes the residuals of one curve into {@code r}: time then energy, row by row. */
        private void fill(double[] r, GpuSpec gpu, double[] p, int c) {
            InstructionTime time = time(p, c);
            int i = offsets[c];
            for (Measurement m : curves.get(c).rows()) {
                DvfsEstimate e = DvfsEnergyModel.estimate(gpu, time, m.frequencyMhz());
                r[i++] = e.timeSeconds() / m.timeSeconds() - 1;
                r[i++] = e.energyJoules() / m.energyJoules() - 1;
            }
        }

        /** Forward differences; a curve's own two times move only that curve's residuals. */
        @Override
        public double[][] jacobian(double[] p, double[] residuals) {
            double[][] j = new double[residualCount][p.length];
            for (int k = 0; k < globals; k++) {
                double[] shifted = p.clone();
                double h = LeastSquares.Residuals.step(p[k]);
                shifted[k] += h;
                double[] r = at(shifted);
                for (int i = 0; i < residualCount; i++) {
                    j[i][k] = (r[i] - residuals[i]) / h;
                }
            }
            GpuSpec gpu = gpu(p);
            double[] r = residuals.clone();
            for (int c = 0; c < curves.size(); c++) {
                for (int k = globals + 2 * c; k < globals + 2 * c + 2; k++) {
                    double[] shifted = p.clone();
                    double h = LeastSquares.Residuals.step(p[k]);
                    shifted[k] += h;
                    fill(r, gpu, shifted, c);
                    for (int i = offsets[c]; i < offsets[c + 1]; i++) {
                        j[i][k] = (r[i] - residuals[i]) / h;
                    }
                }
            }
            return j;
        }

        private static double sigmoid(double x) {
            double clamped = Math.max(-COORDINATE_LIMIT, Math.min(COORDINATE_LIMIT, x));
            return 1 / (1 + Math.exp(-clamped));
        }

        private static double logit(double y) {
            return Math.log(y / (1 - y));
        }
    }
}
