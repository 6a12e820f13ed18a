package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.frontier.Frontier;
import io.github.alpa4j.energy.frontier.FrontierPoint;
import io.github.alpa4j.energy.profile.Profile;

import java.util.Arrays;

/**
 * Picks the frontier point to run (REFERENCES.md §3, "Straggler"): the least-energy point whose
 * iteration time is within the deadline. Without a straggler the deadline is the fastest time T
 * (no slowdown allowed); with one it is T′, and past the least-energy point nothing more is gained.
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
        int stages = frontier.dag().stages();
        double energy = best.computationEnergyJoules() + stages * deadlineSeconds * blockingWatts;
        double baseline = MaxFrequencyBaseline.energy(frontier.dag(), profile, blockingWatts, deadlineSeconds);
        int[] frequencies = frontier.frequencies(best.index());
        double measured = MeasuredEnergy.of(frontier.dag(), profile, frequencies, blockingWatts, deadlineSeconds);
        return new ChosenPlan(deadline, deadlineSeconds, best, energy, baseline, 100 * (baseline - energy) / baseline,
                measured, Arrays.stream(frequencies).boxed().toList());
    }
}
