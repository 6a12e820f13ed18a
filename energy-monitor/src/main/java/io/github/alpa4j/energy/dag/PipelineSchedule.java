package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.profile.Instruction;

import java.util.ArrayList;
import java.util.List;

/** The order in which each stage runs its computations during one synchronous iteration. */
public enum PipelineSchedule {
    /**
     * Synchronous 1F1B (PipeDream-flush, DeepSpeed's TrainSchedule, the schedule Perseus
     * evaluates): stage s runs min(S−s−1, M) warm-up forwards, then alternates one forward and
     * one backward, then drains the remaining backwards.
     */
    ONE_F_ONE_B("1f1b"),
    /** GPipe: every forward in microbatch order, then every backward, last microbatch first. */
    GPIPE("gpipe");

    private final String cliName;

    PipelineSchedule(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static PipelineSchedule fromCliName(String name) {
        for (PipelineSchedule schedule : values()) {
            if (schedule.cliName.equalsIgnoreCase(name)) {
                return schedule;
            }
        }
        throw new EnergyInputException("unknown schedule '" + name + "'; use 1f1b or gpipe");
    }

    /** The computations of one stage in the order it runs them. */
    public List<Computation> stageOrder(int stages, int microbatches, int stage) {
        List<Computation> order = new ArrayList<>(2 * microbatches);
        switch (this) {
            case ONE_F_ONE_B -> {
                int warmUp = Math.min(stages - stage - 1, microbatches);
                int forwards = 0;
                for (; forwards < warmUp; forwards++) {
                    order.add(new Computation(stage, forwards, Instruction.FORWARD));
                }
                for (int backwards = 0; backwards < microbatches; backwards++) {
                    if (forwards < microbatches) {
                        order.add(new Computation(stage, forwards++, Instruction.FORWARD));
                    }
                    order.add(new Computation(stage, backwards, Instruction.BACKWARD));
                }
            }
            case GPIPE -> {
                for (int m = 0; m < microbatches; m++) {
                    order.add(new Computation(stage, m, Instruction.FORWARD));
                }
                for (int m = microbatches - 1; m >= 0; m--) {
                    order.add(new Computation(stage, m, Instruction.BACKWARD));
                }
            }
        }
        return order;
    }
}
