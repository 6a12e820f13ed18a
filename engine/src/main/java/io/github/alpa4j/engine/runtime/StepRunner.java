package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Runs training steps of one model, wherever its devices are. */
public interface StepRunner {
    /** Runs one step on {@code feeds} (by input name); returns the fetched outputs by name. */
    Map<String, Tensor> step(Map<String, Tensor> feeds);

    /** Current parameter values, whole (gathered from their shards), by name. */
    Map<String, Tensor> parameters();

    /**
     * Where every device keeps each variable (parameters and optimizer states): one list per device, in
     * device order, each sorted by stage and name. The same plan on the same mesh gives the same layout.
     */
    List<List<VariableShard>> variableLayout();

    /**
     * Every device's current blocks of its variables, in the order of {@link #variableLayout()}; null for a
     * device that another process of the job drives.
     */
    List<List<Tensor>> variableBlocks();

    /**
     * Replaces every device's variables by {@code blocks}, given in the order and with the local types of
     * {@link #variableLayout()}; only between steps.
     */
    void setVariableBlocks(List<List<Tensor>> blocks);

    /** Largest number of bytes any one device held at once so far (variables included). */
    long peakBytes();

    /** Time spent in matrix products so far (0 where it is not measured). */
    long matmulNanos();

    /** Time spent in steps so far. */
    long stepNanos();

    /** Time spent in collectives so far (the busiest device's; 0 on one device). */
    default long collectiveNanos() {
        return 0;
    }

    /** Bytes each kind of collective moved in the last step, as the alpha-beta model counts them (one device's view). */
    default java.util.Map<String, Long> lastStepCollectiveBytes() {
        return java.util.Map.of();
    }

    /** Nanoseconds each kind of collective took in the last step on the device that spent the most in it (empty on one device). */
    default java.util.Map<String, Long> lastStepCollectiveNanos() {
        return java.util.Map.of();
    }

    /**
     * Whether the step is loss scaled (fp16): it reads the scale and its inverse as inputs, and a step whose
     * update comes out infinite or NaN leaves every variable as it was.
     */
    default boolean lossScaled() {
        return false;
    }

    /** Whether the last step's update was skipped (a loss-scaled step that overflowed). */
    default boolean lastStepSkipped() {
        return false;
    }

    /** The loss scale the last step ran with, or NaN where steps are not loss scaled. */
    default double lastStepLossScale() {
        return Double.NaN;
    }

    /** Peak bytes of every device so far. */
    default long[] peakBytesPerDevice() {
        return new long[] {peakBytes()};
    }
}
