package io.github.alpa4j.engine.energy;

import io.github.alpa4j.energy.profile.Profile;
import java.util.List;

/** Where a {@link LiveEnergyPlan} comes from ({@code train --energy-plan auto|FILE}). */
public sealed interface EnergyPlanSource permits EnergyPlanSource.Auto, EnergyPlanSource.Fixed, EnergyPlanSource.Measured {
    /**
     * Profile in the run: {@code warmup} steps, then {@code iterations} measured ones, at each of {@code clocks} in turn, every
     * device locked to it (clocks being set); without {@code clocks}, at the clock the GPUs run at, the others from the model.
     */
    record Auto(int warmup, int iterations, List<Integer> clocks) implements EnergyPlanSource {
        public Auto {
            clocks = List.copyOf(clocks);
        }

        public Auto(int warmup, int iterations) {
            this(warmup, iterations, List.of());
        }
    }

    /** A plan file's clocks ({@code plan --objective energy}, {@code energy frontier --json}): one point, no frontier. */
    record Fixed(PlanFrequencies frequencies, String file) implements EnergyPlanSource {
    }

    /** A measured Perseus profile ({@code energy profile}'s CSV): its frontier is solved at the start. */
    record Measured(Profile profile, String file) implements EnergyPlanSource {
    }
}
