package io.github.alpa4j.engine.model;

import io.github.alpa4j.engine.UserInputException;

/**
 * A GPT-2 style decoder: pre-LayerNorm blocks (causal self-attention, then a 4×hidden GELU MLP),
 * learned position embedding, an untied LM head, cross-entropy over the next token.
 */
public record GptConfig(int layers, int heads, int hidden, int seq, int vocab, int batch) {
    public GptConfig {
        MlpConfig.positive("layers", layers);
        MlpConfig.positive("heads", heads);
        MlpConfig.positive("hidden size", hidden);
        MlpConfig.positive("sequence length", seq);
        MlpConfig.positive("vocabulary size", vocab);
        MlpConfig.positive("batch size", batch);
        if (hidden % heads != 0) {
            throw new UserInputException("heads (" + heads + ") must divide the hidden size (" + hidden + ")");
        }
        long b = batch;
        long s = seq;
        long h = hidden;
        MlpConfig.fits("the attention scores (batch x heads x sequence x sequence)", b, heads, s, s);
        MlpConfig.fits("the logits (batch x sequence x vocabulary)", b, s, vocab);
        MlpConfig.fits("the MLP activations (batch x sequence x 4 x hidden)", b, s, 4, h);
        MlpConfig.fits("the token embedding (vocabulary x hidden)", vocab, h);
        MlpConfig.fits("the MLP weights (hidden x 4 x hidden)", h, 4, h);
    }

    public int headDim() {
        return hidden / heads;
    }

    public int ffn() {
        return 4 * hidden;
    }

    /** Parameters: embeddings, 12h² + 12h per block (no key bias), final norm, head. */
    public long parameterCount() {
        long h = hidden;
        return (long) vocab * h + (long) seq * h + layers * (12 * h * h + 12 * h) + 2 * h + h * vocab;
    }

    /** The foundation's small test GPT: 2 layers, hidden 64, 4 heads, seq 32, vocabulary 16. */
    public static GptConfig tiny(int batch) {
        return new GptConfig(2, 4, 64, 32, 16, batch);
    }
}
