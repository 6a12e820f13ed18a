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
