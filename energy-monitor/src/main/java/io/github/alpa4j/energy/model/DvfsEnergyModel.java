package io.github.alpa4j.energy.model;

import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Time and energy of a computation as functions of the SM clock, from the GPU's spec and the
 * computation's FLOPs and bytes, so the planner's stages get a frontier before any GPU run.
 *
 * <p>Assumptions, each the simplest that keeps the shape measured profiles show:
 * <ol>
 *   <li>Roofline time: {@code t(f) = max(F / (peak · f/f_max), B / bandwidth)}. Compute time
 *       scales with 1/f; memory time does not depend on the SM clock (memory has its own clock).
 *       Compute and memory traffic overlap fully; launch overheads are ignored.</li>
 *   <li>Power: {@code P(f) = P_static + P_sm · (f/f_max) · v(f)² · u_sm + P_memory · u_memory},
 *       switching power C·V²·f with the voltage ratio v(f) linear from {@code minVoltageFraction} at
 *       the lowest clock to 1 at the highest; u_sm = compute time / t and u_memory = memory time / t
 *       are the busy fractions.</li>
 *   <li>Energy is {@code P(f) · t(f)}: static energy grows as the clock falls, dynamic energy
 *       shrinks with the voltage, so energy has a minimum and slower clocks past it only waste.</li>
 *   <li>The sweep follows the Perseus profiler (REFERENCES.md §3): from the highest clock down in
 *       steps, stopping after energy rises five times in a row.</li>
 * </ol>
 */
public final class DvfsEnergyModel {
    /** The profiler stops once energy has risen this many clocks in a row. */
    static final int RISES_BEFORE_STOP = 5;

    private DvfsEnergyModel() {
    }

    /** Prediction for one computation of {@code flops} and {@code bytes} at {@code frequencyMhz}. */
    public static DvfsEstimate estimate(GpuSpec gpu, double flops, double bytes, int frequencyMhz) {
        double clock = (double) frequencyMhz / gpu.maxClockMhz();
        double computeSeconds = flops / (gpu.peakFlopsPerSecond() * clock);
        double memorySeconds = bytes / gpu.memoryBandwidthBytesPerSecond();
        double time = Math.max(computeSeconds, memorySeconds);
        double voltage = gpu.minVoltageFraction() + (1 - gpu.minVoltageFraction())
                * (frequencyMhz - gpu.minClockMhz()) / (double) (gpu.maxClockMhz() - gpu.minClockMhz());
        double power = gpu.staticWatts()
                + gpu.smDynamicWatts() * clock * voltage * voltage * (computeSeconds / time)
                + gpu.memoryWatts() * (memorySeconds / time);
        return new DvfsEstimate(frequencyMhz, time, power, power * time);
    }

    /** A profile of every stage's forward and backward, as if swept on {@code gpu}. */
    public static Profile profile(GpuSpec gpu, List<StageWork> stages) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no stages to model");
        }
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < stages.size(); s++) {
            StageWork work = stages.get(s);
            rows.addAll(sweep(gpu, s, Instruction.FORWARD, work.forwardFlops(), work.forwardBytes()));
            rows.addAll(sweep(gpu, s, Instruction.BACKWARD, work.backwardFlops(), work.backwardBytes()));
        }
        return new Profile(rows);
    }

    private static List<Measurement> sweep(GpuSpec gpu, int stage, Instruction instruction, double flops, double bytes) {
        List<Measurement> rows = new ArrayList<>();
        double previous = Double.POSITIVE_INFINITY;
        int rises = 0;
        for (int f = gpu.maxClockMhz(); f >= gpu.minClockMhz() && rises < RISES_BEFORE_STOP; f -= gpu.clockStepMhz()) {
            DvfsEstimate e = estimate(gpu, flops, bytes, f);
            rows.add(new Measurement(stage, instruction, f, e.timeSeconds(), e.energyJoules()));
            rises = e.energyJoules() > previous ? rises + 1 : 0;
            previous = e.energyJoules();
        }
        return rows;
    }
}
