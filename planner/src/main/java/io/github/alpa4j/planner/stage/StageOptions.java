package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import java.util.OptionalLong;

/**
 * Every knob of the inter-operator pass, with its default in {@link #defaults()} (as Alpa's
 * AutoStageOption and AutoLayerOption).
 *
 * @param layers            layers the clustering forms; 0 picks them as Alpa's search does ({@link LayerClustering#autoLayers})
 * @param epsilon           a layer's forward FLOPs stay ≤ (1+ε)·average (REFERENCES §2: ε = 0.5)
 * @param submeshes         the physical submeshes stages may take (Alpa's submesh_physical_shape_space)
 * @param logicalShapes     the logical 2-D shapes tried on each submesh (Alpa's submesh_logical_shape_space)
 * @param schedule          the pipeline schedule: it sets how many microbatches of activations a stage holds
 * @param memoryBudgetBytes per-device memory a stage must fit; empty for the GPU's memory
 * @param refineStages      re-solve each chosen stage's ILP on its whole graph (else keep its layers' plans side by side)
 * @param threads           threads for independent ILP solves; 0 for one per core
 * @param intraOp           the options of every intra-op ILP (its memory budget is ignored: stages are checked as above)
 */
public record StageOptions(int layers, double epsilon, SubmeshSpace submeshes, LogicalShapeSpace logicalShapes,
                           PipelineSchedule schedule, OptionalLong memoryBudgetBytes, boolean refineStages,
                           int threads, PlannerOptions intraOp) {
    public StageOptions {
        if (layers < 0) {
            throw new PlanningException("the number of layers must be 0 (automatic) or positive, got " + layers);
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new PlanningException("the layer imbalance epsilon must be a non-negative number, got " + epsilon);
        }
        if (memoryBudgetBytes.isPresent() && memoryBudgetBytes.getAsLong() <= 0) {
            throw new PlanningException("the memory budget must be positive, got " + memoryBudgetBytes.getAsLong() + " bytes");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
    }

    public static StageOptions defaults() {
        return new StageOptions(0, 0.5, SubmeshSpace.POWER_OF_TWO, LogicalShapeSpace.MODEL_PARALLEL_IN_HOST,
                PipelineSchedule.ONE_F_ONE_B, OptionalLong.empty(), true, 0, PlannerOptions.defaults());
    }

    public StageOptions withLayers(int v) {
        return new StageOptions(v, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads, intraOp);
    }

    public StageOptions withEpsilon(double v) {
        return new StageOptions(layers, v, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads, intraOp);
    }

    public StageOptions withSubmeshes(SubmeshSpace v) {
        return new StageOptions(layers, epsilon, v, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads, intraOp);
    }

    public StageOptions withLogicalShapes(LogicalShapeSpace v) {
        return new StageOptions(layers, epsilon, submeshes, v, schedule, memoryBudgetBytes, refineStages, threads, intraOp);
    }

    public StageOptions withSchedule(PipelineSchedule v) {
        return new StageOptions(layers, epsilon, submeshes, logicalShapes, v, memoryBudgetBytes, refineStages, threads, intraOp);
    }

    public StageOptions withMemoryBudgetBytes(long v) {
        return new StageOptions(layers, epsilon, submeshes, logicalShapes, schedule, OptionalLong.of(v), refineStages, threads, intraOp);
    }

    public StageOptions withRefineStages(boolean v) {
        return new StageOptions(layers, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, v, threads, intraOp);
    }

    public StageOptions withThreads(int v) {
        return new StageOptions(layers, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, v, intraOp);
    }

    public StageOptions withIntraOp(PlannerOptions v) {
        return new StageOptions(layers, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads, v);
    }

    /** The per-device memory a stage must fit on GPUs with {@code gpuMemoryBytes}. */
    public long memoryBytes(long gpuMemoryBytes) {
        return memoryBudgetBytes.orElse(gpuMemoryBytes);
    }
}
