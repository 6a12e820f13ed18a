package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Picks the frontier point to run (REFERENCES.md §3, "Straggler"): the least-energy point whose
 * iteration time is within the deadline. Without a straggler the deadline is the fastest time T
 * (no slowdown allowed); with one it is T′, and past the least-energy point nothing more is gained.
 * Every computation at maximum frequency is the fallback: a plan never does worse than it.
 */
public final class PlanChoice {
    /** Times within this of the deadline count as meeting it (times are whole quanta, rounding aside). */
    private static final double TIME_SLACK_SECONDS = 1e-9;

    private PlanChoice() {
    }

    public static ChosenPlan choose(Frontier frontier, Profile profile, Deadline deadline) {
        double fastest = frontier.fastest().timeSeconds();
        double deadlineSeconds = switch (deadline) {
            case Deadline.NoStraggler ignored -> fastest;
            case Deadline.Straggler straggler -> straggler.seconds();
        };
        if (deadlineSeconds < fastest - TIME_SLACK_SECONDS) {
            throw new EnergyInputException("the straggler's iteration time " + deadlineSeconds
                    + " s is below this pipeline's fastest " + fastest + " s; a straggler is slower by definition");
        }
        // Every GPU draws P_block until the deadline whatever the point, so comparing the
        // computations' effective energy is comparing the whole iteration's energy.
        FrontierPoint best = null;
        for (FrontierPoint p : frontier.points()) {
            if (p.timeSeconds() <= deadlineSeconds + TIME_SLACK_SECONDS
                    && (best == null || p.computationEnergyJoules() < best.computationEnergyJoules())) {
                best = p;
            }
        }
        if (best == null) {
            throw new IllegalStateException("the fastest point must meet a deadline at or above it");
        }
        double blockingWatts = frontier.profile().blockingWatts();
        double blocking = frontier.dag().stages() * deadlineSeconds * blockingWatts;
        double energy = best.computationEnergyJoules() + blocking;
        double baseline = MaxFrequencyBaseline.energy(frontier.dag(), profile, blockingWatts, deadlineSeconds);
        int[] frequencies = frontier.frequencies(best.index());
        double measured = MeasuredEnergy.of(frontier.dag(), profile, frequencies, blockingWatts, deadlineSeconds);
        // Every computation at its highest clock is a plan too, and it meets any deadline the
        // fastest point meets. The curves charge P_block for whole quanta only, so they price a
        // run above its measurement by up to P_block·τ: a point that changes no clock, or saves
        // less than that, would report a loss against doing nothing. Run the point only when it
        // saves by the curves the frontier optimised and by the measurements alike.
        if (energy < baseline && measured < baseline) {
            return new ChosenPlan(deadline, deadlineSeconds, best, false, energy, best.computationEnergyJoules(),
                    baseline, 100 * (baseline - energy) / baseline, measured,
                    Arrays.stream(frequencies).boxed().toList());
        }
        List<Integer> highest = new ArrayList<>();
        for (int i = 0; i < frontier.dag().size(); i++) {
            Computation c = frontier.dag().computation(i);
            highest.add(profile.atMaximumFrequency(c.stage(), c.instruction()).frequencyMhz());
        }
        return new ChosenPlan(deadline, deadlineSeconds, frontier.fastest(), true, baseline, baseline - blocking,
                baseline, 0, baseline, highest);
    }
}
