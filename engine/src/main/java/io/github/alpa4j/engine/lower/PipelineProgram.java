package io.github.alpa4j.engine.lower;

import io.github.alpa4j.planner.stage.PipelinePlan;
import java.util.List;

/** A pipeline plan lowered: every stage's program, devices numbered over all stages in stage order. */
public record PipelineProgram(PipelinePlan plan, List<StageProgram> stages) {
    public PipelineProgram {
        stages = List.copyOf(stages);
    }

    public int deviceCount() {
        return stages.stream().mapToInt(StageProgram::deviceCount).sum();
    }

    public int microbatches() {
        return plan.microbatches();
    }
}
