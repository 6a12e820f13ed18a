package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlanningException;
import java.util.Arrays;
import java.util.Locale;

/** Whether stages recompute their layers' forward values in the backward pass ({@code --remat}). */
public enum RematMode {
    /** Every forward value a backward node reads is kept from the forward pass. */
    NONE,
    /** Every layer recomputes (Alpa's use_remat, Megatron's --recompute-granularity full). */
    LAYERS,
    /** The stage DP recomputes a stage's layers where they fit no other way (where that is faster than what fits). */
    AUTO;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code none}, {@code layers} or {@code auto}; anything else is a user error. */
    public static RematMode parse(String s) {
        for (RematMode m : values()) {
            if (m.code().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new PlanningException("unknown rematerialisation '" + s + "'; use one of "
                + Arrays.stream(values()).map(RematMode::code).toList());
    }

    /** Whether plans without recomputation are candidates. */
    boolean keeps() {
        return this != LAYERS;
    }

    /** Whether plans with recomputation are candidates. */
    boolean recomputes() {
        return this != NONE;
    }
}
