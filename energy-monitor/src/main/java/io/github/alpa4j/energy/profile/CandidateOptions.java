package io.github.alpa4j.energy.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of one (stage, instruction) the frontier may use, prepared as the Perseus authors
 * prepared theirs (data/perseus/README.md): drop options another beats on both time and energy,
 * quantise time by τ, keep one option per quantised time, subtract the blocking power.
 */
public final class CandidateOptions {
    /** Fewer survivors than this after filtering make a poor fit; the authors then filter again, less strictly. */
    static final int FEW_SURVIVORS = 3;
    /** How much cheaper a faster option must be to drop a slower one on the second try. */
    static final double NOISE_FACTOR = 0.95;

    private CandidateOptions() {
    }

    /**
     * The candidate options, fastest first.
     *
     * @param rows measurements of one (stage, instruction)
     * @param tauSeconds time quantum τ
     * @param blockingWatts P_block, the GPU's power while blocked on communication
     * @param dominance which energy decides that an option is beaten
     */
    public static List<ExecutionOption> of(List<Measurement> rows, double tauSeconds, double blockingWatts,
                                           Dominance dominance) {
        double charged = dominance == Dominance.EFFECTIVE_ENERGY ? blockingWatts : 0;
        List<Measurement> survivors = nonDominated(rows, 1.0, charged);
        if (survivors.size() <= FEW_SURVIVORS) {
            survivors = nonDominated(rows, NOISE_FACTOR, charged);
        }
        List<Measurement> preferred = new ArrayList<>(survivors);
        preferred.sort(sameQuantumPreference(dominance));
        Set<Long> taken = new HashSet<>();
        List<ExecutionOption> options = new ArrayList<>();
        for (Measurement m : preferred) {
            long quanta = quantise(m.timeSeconds(), tauSeconds);
            if (taken.add(quanta)) {
                double effective = m.energyJoules() - blockingWatts * quanta * tauSeconds;
                options.add(new ExecutionOption(m.frequencyMhz(), m.timeSeconds(), m.energyJoules(), quanta, effective));
            }
        }
        options.sort(Comparator.comparingLong(ExecutionOption::quanta));
        return List.copyOf(options);
    }

    /**
     * Which of several options with one quantised time to keep: the first in this order.
     *
     * <p>The authors keep the larger energy: among options no other beats, the costlier one is
     * the faster, whose real time lies closest to the quantum, so the curve never understates
     * energy. Charging P_block per quantum prices every option of one quantum for the same time,
     * so under {@link Dominance#EFFECTIVE_ENERGY} the cheapest is what a plan at that time runs: a
     * computation whose clocks all fall in one quantum (memory-bound, say) otherwise keeps its
     * highest clock and saves nothing. The price is real time within the quantum: the cheapest
     * may finish up to τ later than the costliest (A100 profile, 12 microbatches: the fastest
     * point's clocks take 0.3 % longer by the measured times than keeping the costliest would,
     * for 0.5 points more saving by the measurements).
     */
    static Comparator<Measurement> sameQuantumPreference(Dominance dominance) {
        Comparator<Measurement> byEnergy = Comparator.comparingDouble(Measurement::energyJoules);
        return dominance == Dominance.EFFECTIVE_ENERGY ? byEnergy : byEnergy.reversed();
    }

    /**
     * Options no other option beats on both time and energy {@code E − chargedWatts·t} (raw energy
     * when nothing is charged). With a noise factor below one, a faster option drops a slower one
     * only if it is cheaper by that factor, so measurement noise does not thin the curve to a
     * handful of points. At an equal time the cheaper option wins outright, noise or not: the
     * authors' strict comparison keeps every option of a memory-bound computation, all as fast,
     * and their larger-energy rule then picks the highest clock among them.
     */
    static List<Measurement> nonDominated(List<Measurement> rows, double noiseFactor, double chargedWatts) {
        List<Measurement> kept = new ArrayList<>();
        for (Measurement m : rows) {
            boolean dominated = false;
            double energy = m.energyJoules() - chargedWatts * m.timeSeconds();
            for (Measurement other : rows) {
                double otherEnergy = other.energyJoules() - chargedWatts * other.timeSeconds();
                boolean faster = other.timeSeconds() < m.timeSeconds() && otherEnergy < noiseFactor * energy;
                boolean asFast = other.timeSeconds() == m.timeSeconds() && otherEnergy < energy;
                if (faster || asFast) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                kept.add(m);
            }
        }
        return kept;
    }

    /** {@code floor(t / τ)}, forgiving the last bit of rounding so an exact multiple stays whole. */
    public static long quantise(double seconds, double tauSeconds) {
        return (long) Math.floor(seconds / tauSeconds * (1 + 1e-12));
    }
}
