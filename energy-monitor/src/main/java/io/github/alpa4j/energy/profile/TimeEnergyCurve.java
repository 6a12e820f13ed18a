package io.github.alpa4j.energy.profile;

import java.util.List;

/**
 * What one (stage, instruction) may do: its candidate options, fastest first, and the convex
 * curve fitted through them, which prices every whole number of quanta between the fastest and
 * the slowest option.
 *
 * @param atMaximumFrequency the measurement at the highest clock, the baseline's choice
 */
public record TimeEnergyCurve(int stage, Instruction instruction, List<ExecutionOption> options,
                              ExponentialEnergyModel model, Measurement atMaximumFrequency) {
    public TimeEnergyCurve {
        options = List.copyOf(options);
        if (options.isEmpty()) {
            throw new IllegalArgumentException("a curve needs at least one option");
        }
    }

    public long minQuanta() {
        return options.get(0).quanta();
    }

    public long maxQuanta() {
        return options.get(options.size() - 1).quanta();
    }

    /** Effective energy (J) of a run assigned {@code quanta} quanta, by the fitted curve. */
    public double energy(long quanta) {
        return model.energy(quanta);
    }

    /** The duration in [min, max] quanta where the fitted curve is lowest. */
    public long leastEnergyQuanta() {
        long best = maxQuanta();
        for (long q = maxQuanta(); q >= minQuanta(); q--) {
            if (energy(q) < energy(best)) {
                best = q;
            }
        }
        return best;
    }

    /**
     * The option run for an assigned time: the slowest measured one that still finishes within
     * it (REFERENCES.md §3, "Fit"); the fastest if none does.
     */
    public ExecutionOption optionFor(long quanta) {
        int lo = 0;
        int hi = options.size() - 1;
        if (options.get(0).quanta() > quanta) {
            return options.get(0);
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (options.get(mid).quanta() <= quanta) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return options.get(lo);
    }
}
