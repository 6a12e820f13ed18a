package io.github.alpa4j.energy.profile;

/**
 * When one measured option makes another useless, so filtering may drop it.
 *
 * <p>Over an iteration of length T a GPU burns {@code Σ E_i + P_block·(T − Σ t_i) =
 * Σ (E_i − P_block·t_i) + P_block·T}: only effective energy matters. An option that is slower
 * and costs more raw energy can still cost less effective energy (the GPU computes through time
 * it would otherwise spend blocked at P_block), so judging by raw energy can drop options a good
 * plan needs, and never keeps one it could do without.
 */
public enum Dominance {
    /**
     * Another option is faster and uses less raw energy: the Perseus artifact's rule
     * (data/perseus/README.md), which reproduces the authors' frontier; of options with one
     * quantised time the costliest, closest to the quantum, stays.
     */
    RAW_ENERGY,
    /**
     * Another option is faster and uses less effective energy, {@code E − P_block·t}: drops only
     * options no plan can need, so the frontier is never worse and often better; of options with
     * one quantised time the cheapest stays, as the curve prices them all at that time.
     */
    EFFECTIVE_ENERGY
}
