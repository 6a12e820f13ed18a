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

    /**
     * The tasks of one stage in the three parts of its schedule: the warm-up (forwards that fill the
     * pipeline), the steady state (for 1F1B, a forward then a backward, as long as forwards remain),
     * and the cool-down (the backwards that drain it). GPipe has no steady state.
     */
    public record StageTasks(List<Task> warmUp, List<Task> steady, List<Task> coolDown) {
        public StageTasks {
            warmUp = List.copyOf(warmUp);
            steady = List.copyOf(steady);
            coolDown = List.copyOf(coolDown);
        }

        /** Every task, in the order the stage runs them. */
        public List<Task> inOrder() {
            List<Task> all = new ArrayList<>(warmUp);
            all.addAll(steady);
            all.addAll(coolDown);
            return all;
        }
    }

    /** The tasks of {@code stage} in the order it runs them. */
    public List<Task> stageOrder(int stages, int microbatches, int stage) {
        return stageTasks(stages, microbatches, stage).inOrder();
    }

    /** The tasks of {@code stage}, by part of the schedule. */
    public StageTasks stageTasks(int stages, int microbatches, int stage) {
        List<Task> warmUp = new ArrayList<>();
        List<Task> steady = new ArrayList<>();
        List<Task> coolDown = new ArrayList<>();
        switch (this) {
            case ONE_F_ONE_B -> {
                int fill = Math.min(stages - stage - 1, microbatches);
                for (int m = 0; m < fill; m++) {
                    warmUp.add(new Task(stage, m, Pass.FORWARD));
                }
                for (int m = 0; m < microbatches; m++) {
                    if (m + fill < microbatches) {
                        steady.add(new Task(stage, m + fill, Pass.FORWARD));
                        steady.add(new Task(stage, m, Pass.BACKWARD));
                    } else {
                        coolDown.add(new Task(stage, m, Pass.BACKWARD));
                    }
                }
            }
            case GPIPE -> {
                for (int m = 0; m < microbatches; m++) {
                    warmUp.add(new Task(stage, m, Pass.FORWARD));
                }
                for (int m = microbatches - 1; m >= 0; m--) {
                    coolDown.add(new Task(stage, m, Pass.BACKWARD));
                }
            }
        }
        return new StageTasks(warmUp, steady, coolDown);
    }

    /** Microbatches whose activations {@code stage} holds at once (REFERENCES §2 for 1F1B: s stages after it, s+1). */
    public int inflight(int stages, int microbatches, int stage) {
        return switch (this) {
            case ONE_F_ONE_B -> Math.min(stages - stage, microbatches);
            case GPIPE -> microbatches;
        };
    }
}
