package io.github.alpa4j.energy.frontier;

import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random profiles shaped as measured ones are: each (stage, instruction) has a few frequencies
 * one quantum apart, energy falls as the clock slows, and effective energy lies on a convex
 * exponential. Every option then survives filtering and the fitted curve passes through all of
 * them, so "all frequency assignments" and "all whole-quantum durations" are the same search space.
 */
final class ConvexProfiles {
    static final double TAU = 1e-3;

    private ConvexProfiles() {
    }

    static Profile random(long seed, int stages, int frequencies, double blockingWatts) {
        return random(seed, stages, frequencies, blockingWatts, 1);
    }

    /**
     * The same profile with every energy in units of {@code joules}: 2⁻³⁰ J gives runs of
     * nanojoules, the scale of a predicted profile's flow bounds, and scales by a power of two
     * exactly. Fit it with P_block in the same units.
     */
    static Profile random(long seed, int stages, int frequencies, double blockingWatts, double joules) {
        Random random = new Random(seed);
        List<Measurement> rows = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
            for (Instruction instruction : Instruction.values()) {
                long fastest = 3 + random.nextInt(20);
                double a = 0.5 + 20 * random.nextDouble();
                double b = -(0.05 + 1.5 * random.nextDouble());
                double c = 5 * random.nextDouble();
                for (int k = 0; k < frequencies; k++) {
                    long quanta = fastest + k;
                    double effective = a * Math.exp(b * k) + c;
                    double time = (quanta + 0.05 + 0.9 * random.nextDouble()) * TAU;
                    rows.add(new Measurement(s, instruction, 1400 - 100 * k, time,
                            joules * (effective + blockingWatts * quanta * TAU)));
                }
            }
        }
        return new Profile(rows);
    }
}
