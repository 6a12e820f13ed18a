package io.github.alpa4j.kernels;

/**
 * fp32 ↔ bf16 casts for mixed precision: {@code F} holds float32 elements, {@code H} bf16
 * (16-bit patterns). Kept apart from {@link Kernels}, which is all float32.
 */
public interface Bf16Casts<F, H> {

    /** y[i] = bf16(x[i]), rounded to nearest even. */
    void toBf16(F x, H y, long n);

    /** y[i] = float(x[i]) (exact). */
    void fromBf16(H x, F y, long n);
}
