package io.github.alpa4j.energy.plan;

import io.github.alpa4j.energy.dag.PipelineSchedule;
import io.github.alpa4j.energy.profile.Profile;

import java.util.List;

/**
 * One pipeline plan as the energy objective compares it with others: what each of its stages costs per
 * GPU at each clock, how many GPUs run each stage, and what the iteration does once after the pipeline
 * drains (gradient synchronisation and the optimizer, all stages at once).
 *
 * @param name what the plan is, for tables (e.g. {@code 4 stages x 16 microbatches})
 * @param profile time and energy of one GPU of each stage, forward and backward, at each clock
 *     (measured, or predicted by the DVFS model)
 * @param devicesPerStage GPUs of each stage; they run the same instruction at the same clock (intra-op
 *     sharding splits the stage's work evenly)
 * @param microbatches microbatches per iteration
 * @param schedule the pipeline schedule
 * @param updateSeconds the once-per-iteration work of the slowest stage, after the pipeline
 * @param updateJoules that work's energy over every GPU, waiting included, at the highest clock
 * @param tokensPerIteration tokens (or samples) one iteration trains on; 0 when unknown
 */
public record PipelineCandidate(String name, Profile profile, List<Integer> devicesPerStage, int microbatches,
                                PipelineSchedule schedule, double updateSeconds, double updateJoules,
                                double tokensPerIteration) {
    public PipelineCandidate {
        devicesPerStage = List.copyOf(devicesPerStage);
        if (devicesPerStage.size() != profile.stageCount()) {
            throw new IllegalArgumentException(name + ": " + devicesPerStage.size() + " stage sizes for a profile of "
                    + profile.stageCount() + " stages");
        }
        if (devicesPerStage.stream().anyMatch(d -> d < 1) || microbatches < 1) {
            throw new IllegalArgumentException(name + ": every stage needs a GPU and the pipeline a microbatch");
        }
        if (!(updateSeconds >= 0) || !(updateJoules >= 0) || !(tokensPerIteration >= 0)) {
            throw new IllegalArgumentException(name + ": negative update time, energy or tokens");
        }
    }

    public int stageCount() {
        return devicesPerStage.size();
    }

    public int deviceCount() {
        return devicesPerStage.stream().mapToInt(Integer::intValue).sum();
    }
}
