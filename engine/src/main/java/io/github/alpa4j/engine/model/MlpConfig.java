package io.github.alpa4j.engine.model;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import java.util.List;

/**
 * A multi-layer perceptron regressing {@code outputDim} targets from {@code inputDim} features
 * with MSE loss. {@code hidden} lists the hidden widths; depth is hidden.size() + 1 layers.
 */
public record MlpConfig(int inputDim, List<Integer> hidden, int outputDim, Activation activation, int batch) {
    public MlpConfig {
        hidden = List.copyOf(hidden);
        positive("input dimension", inputDim);
        positive("output dimension", outputDim);
        positive("batch size", batch);
        for (int h : hidden) {
            positive("hidden width", h);
        }
    }

    /** A square MLP: {@code depth} layers of width {@code width}. */
    public static MlpConfig of(int depth, int width, int batch) {
        if (depth < 1) {
            throw new UserInputException("MLP depth must be at least 1, got " + depth);
        }
        return new MlpConfig(width, java.util.Collections.nCopies(depth - 1, width), width, Activation.RELU, batch);
    }

    static void positive(String what, long v) {
        if (v <= 0) {
            throw new UserInputException(what + " must be positive, got " + v);
        }
    }
}
