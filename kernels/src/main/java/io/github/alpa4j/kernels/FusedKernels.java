package io.github.alpa4j.kernels;

/**
 * Chains of kernels a backend runs in one pass over memory, row by row while a row is in cache.
 * Each writes every tensor of its chain, the same floats as the chain's {@link Kernels} one after
 * another, so a run that fuses equals one that does not, bit for bit. The single-device executor
 * fuses the chains it finds in a graph when its kernels offer these (the CPU twin does).
 */
public interface FusedKernels<F> {

    /** scaled = alpha·x, then y = softmax(scaled) ({@link Kernels#scale}, {@link Kernels#softmax}): attention's scores. */
    void scaleSoftmax(F x, float alpha, F scaled, F y, long rows, int n, int causalSeq);

    /** dxs = softmaxGrad(y, dy), then dx = alpha·dxs: the backward of the same chain. */
    void softmaxGradScale(F y, F dy, float alpha, F dxs, F dx, long rows, int n);

    /** h = a + bias (bias broadcast over rows of n), then y = gelu(h): an MLP's first layer. */
    void biasGelu(F a, F bias, F h, F y, long rows, int n);

    /** sum = a + b, then y = layerNorm(sum): a residual connection into the next block's norm. */
    void addLayerNorm(F a, F b, F gamma, F beta, F sum, F y, long rows, int h, float eps);

    /**
     * AdamW for one parameter: mOut = adamMoment(m, g, beta1), vOut = adamMoment(v, g, beta2,
     * squared), pOut = adamApply(p, mOut, vOut, step, ...).
     */
    void adamStep(F p, F g, F m, F v, F step, F pOut, F mOut, F vOut, long n, float lr, float beta1, float beta2, float eps,
                  float weightDecay);
}
