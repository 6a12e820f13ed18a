package io.github.alpa4j.engine.model;

import io.github.alpa4j.engine.UserInputException;

/**
 * A GShard mixture-of-experts transformer (as Alpa's benchmark MoE, alpa/model/moe.py): the GPT's
 * blocks, with the MLP of every other block (blocks 0, 2, 4, ...) replaced by {@code experts}
 * experts, each a ReLU MLP of width {@code mlpFactor}×hidden without biases (the dense blocks' GELU MLPs have the same
 * width; Alpa's benchmark uses 8), reached by top-2 gating. Tokens are routed in
 * groups of {@code groupSize} (the batch's tokens, flattened, cut into groups); each expert takes at
 * most {@link #capacity()} tokens of a group. The load-balancing loss, weighted by
 * {@code auxWeight}, is added to the cross entropy.
 *
 * @param capacityFactor slots per expert as a multiple of the even share of both choices, 2·groupSize / experts
 *                       (1.0 is Alpa's C = 2S/E)
 */
public record MoeConfig(GptConfig gpt, int experts, int groupSize, double capacityFactor, double auxWeight, int mlpFactor) {
    /** With the GPT's 4×hidden MLPs. */
    public MoeConfig(GptConfig gpt, int experts, int groupSize, double capacityFactor, double auxWeight) {
        this(gpt, experts, groupSize, capacityFactor, auxWeight, 4);
    }

    public MoeConfig {
        MlpConfig.positive("MLP width factor (--mlp-factor)", mlpFactor);
        if (experts < 2) {
            throw new UserInputException("--experts must be at least 2 for top-2 gating, got " + experts);
        }
        MlpConfig.positive("expert group size", groupSize);
        long tokens = (long) gpt.batch() * gpt.seq();
        if (tokens % groupSize != 0) {
            throw new UserInputException("--expert-group " + groupSize + " must divide the batch's tokens (batch " + gpt.batch()
                    + " x seq " + gpt.seq() + " = " + tokens + ")");
        }
        if (!(capacityFactor > 0) || Double.isInfinite(capacityFactor)) {
            throw new UserInputException("--expert-capacity must be a positive capacity factor, got " + capacityFactor);
        }
        if (!(auxWeight >= 0) || Double.isInfinite(auxWeight)) {
            throw new UserInputException("--aux-loss-weight must be a finite number >= 0, got " + auxWeight);
        }
    }

    /** Groups per step: the batch's tokens over the group size. */
    public int groups() {
        return (int) ((long) gpt.batch() * gpt.seq() / groupSize);
    }

    /** Slots per expert per group: round(factor · 2 · groupSize / experts), at least 1. */
    public int capacity() {
        return (int) Math.max(1, Math.round(capacityFactor * 2.0 * groupSize / experts));
    }

    /** Whether block {@code l} has experts in place of its MLP. */
    public static boolean isMoeBlock(int l) {
        return l % 2 == 0;
    }

    /** The same model at another batch size (a pipeline's microbatch). */
    public MoeConfig withBatch(int batch) {
        GptConfig g = gpt;
        return new MoeConfig(new GptConfig(g.layers(), g.heads(), g.hidden(), g.seq(), g.vocab(), batch), experts, groupSize,
                capacityFactor, auxWeight, mlpFactor);
    }

    /** Width of every MLP, dense and expert. */
    public int ffn() {
        return mlpFactor * gpt.hidden();
    }

    /** Parameters: the GPT's with f-wide MLPs (2fh + f + h), each MoE block's MLP replaced by E experts' 2fh and the gate's h·E. */
    public long parameterCount() {
        long h = gpt.hidden();
        long f = ffn();
        long moeBlocks = (gpt.layers() + 1) / 2;
        long denseMlp = 2 * f * h + f + h;
        return gpt.parameterCount() + gpt.layers() * (denseMlp - (8 * h * h + 5 * h))
                + moeBlocks * ((long) experts * 2 * f * h + h * experts - denseMlp);
    }
}
