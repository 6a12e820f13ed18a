package io.github.alpa4j.energy.profile;

/**
 * Effective energy of a computation as a convex function of its time in quanta q,
 * {@code E(q) = a·exp(b·(q − origin)) + c} with a ≥ 0 (REFERENCES.md §3, "Fit").
 *
 * <p>This is the paper's {@code a·exp(b·t) + c} with time measured from {@code origin} (the
 * fastest option's quanta): the same curve, but a stays near the energies involved instead of
 * growing like {@code exp(−b·origin)}, which overflows at τ = 0.1 ms.
 */
public record ExponentialEnergyModel(double a, double b, double c, long origin) {
    public ExponentialEnergyModel {
        if (!(a >= 0) || !Double.isFinite(a) || !Double.isFinite(b) || !Double.isFinite(c)) {
            throw new IllegalArgumentException("invalid exponential model a=" + a + " b=" + b + " c=" + c);
        }
    }

    /** Effective energy in joules of one run lasting {@code quanta} quanta. */
    public double energy(long quanta) {
        return a * Math.exp(b * (quanta - origin)) + c;
    }
}
