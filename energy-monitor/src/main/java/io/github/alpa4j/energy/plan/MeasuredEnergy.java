package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.dag.Computation;
import io.github.alpa4j.energy.dag.PipelineDag;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

/**
 * Energy of one iteration as the measurements price a frequency assignment, rather than the
 * fitted curves: each computation's measured energy at its clock, plus P_block for every second
 * a GPU spends waiting before the deadline. The frontier optimises the fitted curves; this says
 * what the profile expects the chosen clocks to cost.
 */
public final class MeasuredEnergy {
    private MeasuredEnergy() {
    }

    /** {@code Σ E(f_i) + P_block · (S · deadline − Σ t(f_i))}, with frequencies by DAG index. */
    public static double of(PipelineDag dag, Profile profile, int[] frequenciesMhz, double blockingWatts,
                            double deadlineSeconds) {
        double energy = 0;
        double busy = 0;
        for (int i = 0; i < dag.size(); i++) {
            Computation c = dag.computation(i);
            Measurement m = profile.at(c.stage(), c.instruction(), frequenciesMhz[i]);
            energy += m.energyJoules();
            busy += m.timeSeconds();
        }
        return energy + blockingWatts * (dag.stages() * deadlineSeconds - busy);
    }
}
