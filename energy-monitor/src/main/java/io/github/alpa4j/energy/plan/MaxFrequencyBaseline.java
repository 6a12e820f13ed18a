package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.profile.Profile;

/**
 * What the pipeline burns when nobody sets frequencies: every computation at the highest
 * measured clock, and each GPU drawing P_block while it waits, up to the iteration's end. This
 * is the reference the Perseus paper reports savings against (data/perseus/README.md).
 */
public final class MaxFrequencyBaseline {
    private MaxFrequencyBaseline() {
    }

    /**
     * {@code Σ E_max + P_block · (S · deadline − Σ t_max)} over every computation of the DAG, with
     * the raw measured energy and time at the highest clock.
     */
    public static double energy(PipelineDag dag, Profile profile, double blockingWatts, double deadlineSeconds) {
        int[] frequencies = new int[dag.size()];
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            frequencies[i] = profile.atMaximumFrequency(c.stage(), c.instruction()).frequencyMhz();
        }
        return MeasuredEnergy.of(dag, profile, frequencies, blockingWatts, deadlineSeconds);
    }
}
