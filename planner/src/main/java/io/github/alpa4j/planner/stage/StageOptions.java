package io.github.alpa4j.planner.stage;

import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import java.util.OptionalLong;

/**
 * Every knob of the inter-operator pass, each with its default on one line of {@link Builder} (as
 * Alpa's AutoStageOption and AutoLayerOption).
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
 * @param measurer          Alpa's stage profiling: candidate stages measured on devices instead of costed; null for the cost model
 * @param remat             whether stages recompute their layers' forward values in the backward pass (rematerialisation)
 */
public record StageOptions(int layers, double epsilon, SubmeshSpace submeshes, LogicalShapeSpace logicalShapes,
                           PipelineSchedule schedule, OptionalLong memoryBudgetBytes, boolean refineStages,
                           int threads, PlannerOptions intraOp, StageMeasurer measurer, RematMode remat) {
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

    /** The options without stage profiling or rematerialisation. */
    public StageOptions(int layers, double epsilon, SubmeshSpace submeshes, LogicalShapeSpace logicalShapes,
                        PipelineSchedule schedule, OptionalLong memoryBudgetBytes, boolean refineStages, int threads,
                        PlannerOptions intraOp) {
        this(layers, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads, intraOp, null, RematMode.NONE);
    }

    /** Every knob at its default. */
    public static StageOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change a few knobs. */
    public Builder toBuilder() {
        return builder().layers(layers).epsilon(epsilon).submeshes(submeshes).logicalShapes(logicalShapes).schedule(schedule)
                .memoryBudgetBytes(memoryBudgetBytes).refineStages(refineStages).threads(threads).intraOp(intraOp).measurer(measurer)
                .remat(remat);
    }

    /** The knobs and their defaults, one line each; {@link #build()} checks them. */
    public static final class Builder {
        private int layers = 0;                                                             // chosen as Alpa's search does
        private double epsilon = 0.5;                                                       // REFERENCES §2
        private SubmeshSpace submeshes = SubmeshSpace.POWER_OF_TWO;                         // Alpa's default space
        private LogicalShapeSpace logicalShapes = LogicalShapeSpace.MODEL_PARALLEL_IN_HOST; // Alpa's default space
        private PipelineSchedule schedule = PipelineSchedule.ONE_F_ONE_B;                   // Alpa's and Megatron's
        private OptionalLong memoryBudgetBytes = OptionalLong.empty();                      // the GPU's memory
        private boolean refineStages = true;                                                // re-solve each chosen stage whole
        private int threads = 0;                                                            // one per core
        private PlannerOptions intraOp = PlannerOptions.defaults();                         // the intra-op defaults
        private StageMeasurer measurer = null;                                              // the cost model, no profiling
        private RematMode remat = RematMode.NONE;                                           // keep every activation

        private Builder() {
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder submeshes(SubmeshSpace v) {
            submeshes = v;
            return this;
        }

        public Builder logicalShapes(LogicalShapeSpace v) {
            logicalShapes = v;
            return this;
        }

        public Builder schedule(PipelineSchedule v) {
            schedule = v;
            return this;
        }

        public Builder memoryBudgetBytes(OptionalLong v) {
            memoryBudgetBytes = v;
            return this;
        }

        public Builder memoryBudgetBytes(long v) {
            return memoryBudgetBytes(OptionalLong.of(v));
        }

        public Builder refineStages(boolean v) {
            refineStages = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder intraOp(PlannerOptions v) {
            intraOp = v;
            return this;
        }

        public Builder measurer(StageMeasurer v) {
            measurer = v;
            return this;
        }

        public Builder remat(RematMode v) {
            remat = v;
            return this;
        }

        public StageOptions build() {
            return new StageOptions(layers, epsilon, submeshes, logicalShapes, schedule, memoryBudgetBytes, refineStages, threads,
                    intraOp, measurer, remat);
        }
    }

    // Shorthands for the knobs callers change one at a time.

    public StageOptions withLayers(int v) {
        return toBuilder().layers(v).build();
    }

    public StageOptions withEpsilon(double v) {
        return toBuilder().epsilon(v).build();
    }

    public StageOptions withSchedule(PipelineSchedule v) {
        return toBuilder().schedule(v).build();
    }

    public StageOptions withMemoryBudgetBytes(long v) {
        return toBuilder().memoryBudgetBytes(v).build();
    }

    public StageOptions withRefineStages(boolean v) {
        return toBuilder().refineStages(v).build();
    }

    public StageOptions withIntraOp(PlannerOptions v) {
        return toBuilder().intraOp(v).build();
    }

    public StageOptions withRemat(RematMode v) {
        return toBuilder().remat(v).build();
    }

    /** The per-device memory a stage must fit on GPUs with {@code gpuMemoryBytes}. */
    public long memoryBytes(long gpuMemoryBytes) {
        return memoryBudgetBytes.orElse(gpuMemoryBytes);
    }
}
