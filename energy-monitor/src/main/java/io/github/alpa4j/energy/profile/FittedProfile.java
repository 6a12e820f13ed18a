package io.github.alpa4j.energy.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * A profile made ready for the frontier: every (stage, instruction) filtered, quantised by τ,
 * turned into effective energy with P_block and fitted (REFERENCES.md §3).
 */
public final class FittedProfile {
    private final double tauSeconds;
    private final double blockingWatts;
    private final List<TimeEnergyCurve> curves;

    private FittedProfile(double tauSeconds, double blockingWatts, List<TimeEnergyCurve> curves) {
        this.tauSeconds = tauSeconds;
        this.blockingWatts = blockingWatts;
        this.curves = List.copyOf(curves);
    }

    /** Fits with the Perseus artifact's filtering, {@link Dominance#RAW_ENERGY}. */
    public static FittedProfile fit(Profile profile, double tauSeconds, double blockingWatts) {
        return fit(profile, tauSeconds, blockingWatts, Dominance.RAW_ENERGY);
    }

    /**
     * @param tauSeconds time quantum τ (the authors use 1 ms on A100, 0.1 ms on A40)
     * @param blockingWatts P_block, power while blocked on communication
     * @param dominance which energy decides that a measured option is beaten
     */
    public static FittedProfile fit(Profile profile, double tauSeconds, double blockingWatts, Dominance dominance) {
        if (!(tauSeconds > 0) || !(blockingWatts >= 0)) {
            throw new IllegalArgumentException("need τ > 0 and P_block ≥ 0, got " + tauSeconds + ", " + blockingWatts);
        }
        List<TimeEnergyCurve> curves = new ArrayList<>();
        for (int s = 0; s < profile.stageCount(); s++) {
            for (Instruction instruction : Instruction.values()) {
                List<ExecutionOption> options =
                        CandidateOptions.of(profile.measurements(s, instruction), tauSeconds, blockingWatts, dominance);
                curves.add(new TimeEnergyCurve(s, instruction, options, ExponentialFit.fit(options),
                        profile.atMaximumFrequency(s, instruction)));
            }
        }
        return new FittedProfile(tauSeconds, blockingWatts, curves);
    }

    public double tauSeconds() {
        return tauSeconds;
    }

    public double blockingWatts() {
        return blockingWatts;
    }

    public int stageCount() {
        return curves.size() / Instruction.values().length;
    }

    public TimeEnergyCurve curve(int stage, Instruction instruction) {
        return curves.get(stage * Instruction.values().length + instruction.ordinal());
    }
}
