package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlanningException;
import java.util.ArrayList;
import java.util.List;

/**
 * The order in which each stage runs the forward and backward passes of the microbatches of one
 * synchronous iteration. The same definition as the energy module's schedule (a test checks that they
 * agree); the planner depends on nothing of ours, so it keeps its own.
 */
public enum PipelineSchedule {
    /**
     * Synchronous 1F1B (PipeDream-flush): stage s of S runs min(S−s−1, M) warm-up forwards, then
     * alternates one forward and one backward, then drains the remaining backwards. Stage s holds at
     * most min(S−s, M) microbatches of activations.
     */
    ONE_F_ONE_B("1f1b"),
    /** GPipe: every forward in microbatch order, then every backward, last microbatch first; a stage holds all M. */
    GPIPE("gpipe");

    /** A forward or a backward pass. */
    public enum Pass { FORWARD, BACKWARD }

    /** One pass of one microbatch on one stage. */
    public record Task(int stage, int microbatch, Pass pass) {
        @Override
        public String toString() {
            return (pass == Pass.FORWARD ? "F" : "B") + microbatch;
        }
    }

    private final String cliName;

    PipelineSchedule(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static PipelineSchedule parse(String name) {
        for (PipelineSchedule s : values()) {
            if (s.cliName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new PlanningException("unknown schedule '" + name + "'; use 1f1b or gpipe");
    }

    /** The tasks of {@code stage} in the order it runs them. */
    public List<Task> stageOrder(int stages, int microbatches, int stage) {
        List<Task> order = new ArrayList<>(2 * microbatches);
        switch (this) {
            case ONE_F_ONE_B -> {
                int warmUp = Math.min(stages - stage - 1, microbatches);
                int forwards = 0;
                for (; forwards < warmUp; forwards++) {
                    order.add(new Task(stage, forwards, Pass.FORWARD));
                }
                for (int backwards = 0; backwards < microbatches; backwards++) {
                    if (forwards < microbatches) {
                        order.add(new Task(stage, forwards++, Pass.FORWARD));
                    }
                    order.add(new Task(stage, backwards, Pass.BACKWARD));
                }
            }
            case GPIPE -> {
                for (int m = 0; m < microbatches; m++) {
                    order.add(new Task(stage, m, Pass.FORWARD));
                }
                for (int m = microbatches - 1; m >= 0; m--) {
                    order.add(new Task(stage, m, Pass.BACKWARD));
                }
            }
        }
        return order;
    }

    /** Microbatches whose activations {@code stage} holds at once (REFERENCES §2 for 1F1B: s stages after it, s+1). */
    public int inflight(int stages, int microbatches, int stage) {
        return switch (this) {
            case ONE_F_ONE_B -> Math.min(stages - stage, microbatches);
            case GPIPE -> microbatches;
        };
    }
}
