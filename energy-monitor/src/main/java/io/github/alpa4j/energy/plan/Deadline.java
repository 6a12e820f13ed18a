package io.github.alpa4j.energy.plan;

/**
 * What sets the iteration time a pipeline must meet (REFERENCES.md §3, "Straggler").
 */
public sealed interface Deadline permits Deadline.NoStraggler, Deadline.Straggler {

    /** Every pipeline is as fast as this one: the deadline is the frontier's fastest time T. */
    record NoStraggler() implements Deadline {
    }

    /**
     * A straggler pipeline (a slow or throttled GPU, a data stall) sets the iteration time T′ and
     * the others wait for it at gradient synchronisation.
     */
    record Straggler(double seconds) implements Deadline {
        public Straggler {
            if (!(seconds > 0) || !Double.isFinite(seconds)) {
                throw new IllegalArgumentException("a straggler's iteration time must be positive, got " + seconds);
            }
        }
    }
}
