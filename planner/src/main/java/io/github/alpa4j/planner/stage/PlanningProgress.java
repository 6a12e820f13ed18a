package io.github.alpa4j.planner.stage;

/**
 * What the inter-operator pass tells whoever shows its progress: each phase as it begins, with the units
 * of work it has, each unit done, and its end. Phases run one after another; units may be done on any
 * of the planner's threads.
 */
public interface PlanningProgress {
    /** Shows nothing. */
    PlanningProgress NONE = new PlanningProgress() {
        @Override
        public void begin(String phase, int units) {
        }

        @Override
        public void step() {
        }

        @Override
        public void end() {
        }
    };

    /** Phase {@code phase} begins with {@code units} units of work, or -1 when they are not known ahead. */
    void begin(String phase, int units);

    /** One unit of the current phase is done. Thread-safe. */
    void step();

    /** The current phase is over. */
    void end();
}
