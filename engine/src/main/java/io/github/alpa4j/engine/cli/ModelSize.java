package io.github.alpa4j.engine.cli;

import io.github.alpa4j.engine.UserInputException;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The model flags' products, worked out exactly before anything is built: every tensor the model
 * makes must fit one Java array (the CPU kernels' indices are ints too). A refusal names the flags
 * and the tensor: {@code --batch 16 x --heads 4 x --seq 100000 x --seq 100000 (the attention scores)}.
 */
final class ModelSize {
    /** The most elements one tensor may hold. */
    static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE;

    private ModelSize() {
    }

    /** Refuses the GPT's flags when one of its tensors could not be held. */
    static void gpt(ModelOptions o, int batch) {
        fits("the attention scores", "--batch", batch, "--heads", o.heads, "--seq", o.seq, "--seq", o.seq);
        fits("the logits", "--batch", batch, "--seq", o.seq, "--vocab", o.vocab);
        fits("the MLP's activations", "--batch", batch, "--seq", o.seq, "4", 4, "--hidden", o.hidden);
        fits("the token embedding", "--vocab", o.vocab, "--hidden", o.hidden);
        fits("the MLP's weights", "--hidden", o.hidden, "4", 4, "--hidden", o.hidden);
    }

    /** Refuses the MLP's flags when one of its tensors could not be held. */
    static void mlp(ModelOptions o, int batch) {
        long widest = Math.max(o.width, Math.max(o.inDim, o.outDim));
        String flag = widest == o.width ? "--width" : widest == o.inDim ? "--in-dim" : "--out-dim";
        fits("the activations", "--batch", batch, flag, widest);
        if (o.depth() == 1) {
            fits("the weights", "--in-dim", o.inDim, "--out-dim", o.outDim);
        }
        if (o.depth() > 1) {
            fits("the first layer's weights", "--in-dim", o.inDim, "--width", o.width);
            fits("the last layer's weights", "--width", o.width, "--out-dim", o.outDim);
        }
        if (o.depth() > 2) {
            fits("a hidden layer's weights", "--width", o.width, "--width", o.width);
        }
    }

    /** Refuses a Wide-ResNet whose largest tensor, the stem's windows or a stage's, could not be held. */
    static void wresnet(io.github.alpa4j.engine.model.WideResNetConfig c) {
        int stem = (c.image() + 1) / 2;
        fits("the stem's windows", "--batch", c.batch(), "--image / 2", stem, "--image / 2", stem, "3 x 7 x 7", 147);
        fits("the first stage's 3x3 windows", "--batch", c.batch(), "--image / 4", (stem + 1) / 2, "--image / 4", (stem + 1) / 2,
                "--base-channels", c.baseChannels(), "9", 9);
        fits("the first stage's activations", "--batch", c.batch(), "--image / 4", (stem + 1) / 2, "--image / 4", (stem + 1) / 2,
                "--base-channels", c.baseChannels(), "4 x --width-factor", 4L * c.widthFactor());
    }

    /** {@code factors} alternate a flag (or a constant's text) and its value; their exact product must fit one tensor. */
    private static void fits(String what, Object... factors) {
        BigInteger n = BigInteger.ONE;
        StringBuilder product = new StringBuilder();
        for (int i = 0; i < factors.length; i += 2) {
            long v = ((Number) factors[i + 1]).longValue();
            if (v <= 0) {
                return; // a size that is not positive is refused where the model is built, naming it
            }
            n = n.multiply(BigInteger.valueOf(v));
            String flag = (String) factors[i];
            product.append(i == 0 ? "" : " x ").append(flag.startsWith("--") ? flag + " " + v : flag);
        }
        if (n.compareTo(BigInteger.valueOf(MAX_TENSOR_ELEMENTS)) > 0) {
            throw new UserInputException(String.format(Locale.ROOT, "%s (%s) = %,d elements; one tensor holds at most %,d: use smaller sizes",
                    product, what, n, MAX_TENSOR_ELEMENTS));
        }
    }
}
