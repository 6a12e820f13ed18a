package io.github.alpa4j.energy.model;

import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Time and energy of a computation as functions of the SM clock, from the GPU's datasheet and
 * fitted power curve ({@link GpuSpec}) and the computation's time split ({@link InstructionTime}),
 * so the planner's stages get a frontier before any GPU run.
 *
 * <p>At requested clock f, with x = f / f_max (docs/energy-model.md has the fits behind each reason):
 * <ol>
 *   <li>Time: {@code t(x) = t_compute / x + t_memory}. A stage is a sequence of kernels, some
 *       limited by the SMs and some by memory, so the two parts add. Calibrated on the measured
 *       GPT-3 stages, 85-89 % of their A100 time scales with the clock, 26-53 % of their A40 time.</li>
 *   <li>Voltage: {@code v(x)} (relative to the voltage at f_max) stays at a floor up to a knee
 *       clock, then rises linearly to 1. Why: below about 1.1 GHz both measured GPUs' power falls
 *       only in proportion to the clock, which a voltage linear over the whole range cannot give;
 *       energy per operation stops improving there while static energy keeps growing, so energy
 *       has its minimum near the knee.</li>
 *   <li>Power: {@code P(x) = P_static + P_sm · x · v(x)² + P_memory · t_memory / t(x)}. The SM clock
 *       domain switches during the whole instruction, memory-bound parts included: on the A40,
 *       where most of the backward's time does not scale with the clock, charging SM power only
 *       for compute-bound time fitted worse (rms 2.6 % against 1.6 %) and needed 130 W of
 *       clock-independent memory power; with switching power throughout, the fit puts
 *       {@code P_memory} at 0.</li>
 *   <li>Power cap: where {@code P(x)} would exceed the GPU's cap, its limiter runs it at the clock
 *       x_e < x where {@code P(x_e)} equals the cap, and time and energy are those of x_e. Why: on
 *       both measured GPUs the highest clocks buy no time (A40: 1470-1740 MHz all take the same
 *       time at 290-298 W of its 300 W; A100: 1365-1410 MHz at about 475 W).</li>
 *   <li>Energy is {@code P · t}: static energy grows as the clock falls, switching energy shrinks
 *       with v², so energy has a minimum and slower clocks past it only waste.</li>
 *   <li>The sweep follows the Perseus profiler (REFERENCES.md §3): from the highest clock down in
 *       steps, stopping after energy rises five times in a row.</li>
 * </ol>
 */
public final class DvfsEnergyModel {
    /** The profiler stops once energy has risen this many clocks in a row. */
    static final int RISES_BEFORE_STOP = 5;
    /** Bisection steps for the clock the power cap allows: 2⁻⁶⁰ of the clock range. */
    private static final int CAP_BISECTION_STEPS = 60;

    private DvfsEnergyModel() {
    }

    /** Prediction for one computation of {@code flops} and {@code bytes} at {@code frequencyMhz}. */
    public static DvfsEstimate estimate(GpuSpec gpu, double flops, double bytes, int frequencyMhz) {
        return estimate(gpu, InstructionTime.of(gpu.datasheet(), flops, bytes), frequencyMhz);
    }

    /** Prediction for one computation of known time split at {@code frequencyMhz}. */
    public static DvfsEstimate estimate(GpuSpec gpu, InstructionTime work, int frequencyMhz) {
        double x = (double) frequencyMhz / gpu.maxClockMhz();
        if (power(gpu, work, x) > gpu.power().capWatts()) {
            double low = 0;
            double high = x;
            for (int i = 0; i < CAP_BISECTION_STEPS; i++) {
                double middle = (low + high) / 2;
                if (power(gpu, work, middle) > gpu.power().capWatts()) {
                    high = middle;
                } else {
                    low = middle;
                }
            }
            x = low;
        }
        double time = time(work, x);
        double power = power(gpu, work, x);
        return new DvfsEstimate(frequencyMhz, x * gpu.maxClockMhz(), time, power, power * time);
    }

    private static double time(InstructionTime work, double x) {
        return work.computeSeconds() / x + work.memorySeconds();
    }

    /** Power at relative clock x, before the cap; rises with x (so the cap's clock is unique). */
    private static double power(GpuSpec gpu, InstructionTime work, double x) {
        if (x <= 0) {
            return gpu.staticWatts();
        }
        PowerCurve p = gpu.power();
        double v = p.voltage(x * gpu.maxClockMhz(), gpu.maxClockMhz());
        return gpu.staticWatts() + p.smDynamicWatts() * x * v * v + p.memoryWatts() * work.memorySeconds() / time(work, x);
    }

    /** A profile of every stage's forward and backward, as if swept on {@code gpu}. */
    public static Profile profile(GpuSpec gpu, List<StageWork> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no stages to model");
        }
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            StageWork work = stages.get(s);
            rows.addAll(sweep(gpu, s, Instruction.FORWARD,
                    InstructionTime.of(gpu.datasheet(), work.forwardFlops(), work.forwardBytes())));
            rows.addAll(sweep(gpu, s, Instruction.BACKWARD,
                    InstructionTime.of(gpu.datasheet(), work.backwardFlops(), work.backwardBytes())));
        }
        return new Profile(rows);
    }

    /**
     * A profile of stages whose forward and backward times at the highest clock are known (a planner's
     * cost model says how long each takes and which part scales with the SM clock), as if swept on {@code gpu}.
     */
    public static Profile profileOfTimes(GpuSpec gpu, List<InstructionTime> forward, List<InstructionTime> backward) {
        if (forward.isEmpty() || forward.size() != backward.size()) {
            throw new IllegalArgumentException("need a forward and a backward time per stage: " + forward.size() + ", " + backward.size());
        }
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < forward.size(); s++) {
            rows.addAll(sweep(gpu, s, Instruction.FORWARD, forward.get(s)));
            rows.addAll(sweep(gpu, s, Instruction.BACKWARD, backward.get(s)));
        }
        return new Profile(rows);
    }

    private static List<Measurement> sweep(GpuSpec gpu, int stage, Instruction instruction, InstructionTime work) {
        List<Measurement> rows = new ArrayList<>();
        double previous = Double.POSITIVE_INFINITY;
        int rises = 0;
        for (int f = gpu.maxClockMhz(); f >= gpu.minClockMhz() && rises < RISES_BEFORE_STOP; f -= gpu.clockStepMhz()) {
            DvfsEstimate e = estimate(gpu, work, f);
            rows.add(new Measurement(stage, instruction, f, e.timeSeconds(), e.energyJoules()));
            rises = e.energyJoules() > previous ? rises + 1 : 0;
            previous = e.energyJoules();
        }
        return rows;
    }
}
