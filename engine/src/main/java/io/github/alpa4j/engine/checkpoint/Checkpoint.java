package io.github.alpa4j.engine.checkpoint;

import io.github.alpa4j.engine.runtime.VariableShard;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.engine.train.StepMetrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training run after {@code step} steps: every device's blocks of every variable (parameters and
 * optimizer states) and where they lie, the metrics of the steps so far, the flags that built the
 * model (a resume of another model is refused) and the plan it ran. The data sources are functions of
 * the step number, so {@code step} is also the data's position: the next batch is {@code batch(step)}.
 *
 * @param layout  per device, where it keeps each variable ({@link io.github.alpa4j.engine.runtime.StepRunner#variableLayout})
 * @param blocks  per device, its blocks in the order of {@code layout}; null for a device another process
 *                of the job drives (that process saves it)
 * @param plan    the plan's JSON (docs/plan-json.md or docs/pipeline-json.md); empty on one device
 */
public record Checkpoint(long step, Map<String, Object> run, List<List<VariableShard>> layout, List<List<Tensor>> blocks,
                         List<StepMetrics> history, Optional<String> plan) {
    public Checkpoint {
        run = Map.copyOf(run);
        layout = layout.stream().map(List::copyOf).toList();
        blocks = blocks.stream().map(b -> b == null ? null : List.copyOf(b)).toList();
        history = List.copyOf(history);
        if (layout.size() != blocks.size()) {
            throw new IllegalArgumentException(layout.size() + " devices in the layout, " + blocks.size() + " with blocks");
        }
        if (history.size() != step) {
            throw new IllegalArgumentException("a checkpoint after " + step + " steps needs their metrics, got " + history.size());
        }
    }
}
