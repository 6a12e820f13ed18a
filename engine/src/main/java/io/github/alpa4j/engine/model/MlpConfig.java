package io.github.alpa4j.engine.model;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

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
        int in = inputDim;
        for (int l = 0; l <= hidden.size(); l++) {
            int out = l < hidden.size() ? hidden.get(l) : outputDim;
            fits("layer " + l + "'s activations (batch x width)", batch, Math.max(in, out));
            fits("layer " + l + "'s weights (input x output width)", in, out);
            in = out;
        }
    }

    /** The most elements one tensor may hold: Java arrays and the kernels' indices are ints. */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE;

    /** Refuses a tensor of {@code dims} (multiplied exactly) that no array can hold. */
    static void fits(String what, long... dims) {
        BigInteger n = BigInteger.ONE;
        for (long d : dims) {
            n = n.multiply(BigInteger.valueOf(d));
        }
        if (n.compareTo(BigInteger.valueOf(MAX_TENSOR_ELEMENTS)) > 0) {
            throw new UserInputException(String.format(Locale.ROOT, "%s would hold %,d elements; one tensor holds at most %,d:"
                    + " use smaller sizes", what, n, MAX_TENSOR_ELEMENTS));
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
