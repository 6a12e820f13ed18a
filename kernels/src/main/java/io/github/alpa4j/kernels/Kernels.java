package io.github.alpa4j.kernels;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;

/**
 * Every kernel the engine runs, on buffers of one backend: {@code F} holds float32 elements,
 * {@code I} int32 (ids, labels). The CPU twin takes Java arrays; the CUDA one device buffers.
 * Shapes arrive as plain dimensions and element strides, so one kernel serves every local shard.
 * Losses take {@code invCount}, the reciprocal of the global number of rows, so a device holding
 * part of a batch produces its share of the global mean.
 */
public interface Kernels<F, I> {

    /** out[i] = value. */
    void fill(F out, long n, float value);

    /** out[i] = x[i] (copy of n elements from offset xOff to offset outOff). */
    void copy(F x, long xOff, F out, long outOff, long n);

    /**
     * out = a ∘ b over {@code outDims}; operands are read with the given element strides (0 along
     * broadcast dimensions), so this one kernel covers every broadcasting pattern.
     */
    void binary(BinaryKind kind, F a, long[] aStrides, F b, long[] bStrides, F out, int[] outDims);

    /**
     * y = x read from element {@code xOffset} with strides over {@code outDims}: a broadcast, a
     * permute, a device's block of a shard, or any other strided gather.
     */
    void strided(F x, long xOffset, long[] xStrides, F y, int[] outDims);

    /**
     * Windows of an NHWC image [n, h, w, c] as [n, ho, wo, c·kh·kw], channel-major (the IR's
     * {@code PatchOp.Im2Col}), zero in the padding.
     */
    void im2col(F x, int n, int h, int w, int c, int kh, int kw, int stride, int pad, F out);

    /** The adjoint of {@link #im2col}: each window element added back to the pixel it was read from. */
    void col2im(F col, int n, int h, int w, int c, int kh, int kw, int stride, int pad, F out);

    /** y = act(x). */
    void activation(Activation act, F x, F y, long n);

    /** dx = act'(x)·dy. */
    void activationGrad(Activation act, F x, F dy, F dx, long n);

    /** y = alpha·x. */
    void scale(F x, float alpha, F y, long n);

    /**
     * y = x rounded to the nearest value of {@code type}, ties to even (bf16, f16; f16 beyond its range to
     * ±infinity, below it to its subnormals); f32 copies. Storage stays float32: a bf16 or f16 tensor is
     * float32 elements that hold only that type's values, so every kernel reads it as it is. In place is allowed.
     */
    void round(DType type, F x, F y, long n);

    /**
     * flag[0] = 1 if any of x's n elements is infinite or NaN, else flag is left unchanged (zero it once,
     * then flag every tensor into it): dynamic loss scaling's overflow check, as GradScaler's found_inf.
     */
    void flagNonFinite(F x, long n, F flag);

    /** y = x summed over the dimensions marked {@code reduced}, times {@code scale}; y has x's rank with those dims dropped. */
    void reduceSum(F x, int[] dims, boolean[] reduced, float scale, F y);

    /** Softmax over rows of length n; with causalSeq > 0, key j of row r is masked when j > r mod causalSeq. */
    void softmax(F x, F y, long rows, int n, int causalSeq);

    /** dx = y·(dy − Σ y·dy) per row. */
    void softmaxGrad(F y, F dy, F dx, long rows, int n);

    void layerNorm(F x, F gamma, F beta, F y, long rows, int h, float eps);

    void layerNormGrad(F x, F gamma, F dy, F dx, long rows, int h, float eps);

    /** dgamma = Σ_rows dy·x̂ (written, not accumulated). */
    void layerNormGammaGrad(F x, F dy, F dgamma, long rows, int h, float eps);

    /**
     * out[i] = table[ids[i] − vocabStart] for ids in [vocabStart, vocabStart + tableRows), zero
     * otherwise (a vocabulary-parallel shard holds rows vocabStart.. only).
     */
    void embedding(I ids, F table, F out, long n, int h, int vocabStart, int tableRows);

    /** dtable = 0, then dtable[ids[i] − vocabStart] += dy[i] for ids in the shard's range. */
    void embeddingGrad(I ids, F dy, F dtable, long n, int h, int vocabStart, int tableRows);

    /** loss[0] = invCount·Σ_rows (logsumexp(logits) − logits[label]). */
    void crossEntropy(F logits, I labels, F loss, long rows, int vocab, float invCount);

    /** dlogits = (softmax(logits) − onehot(label))·dloss[0]·invCount. */
    void crossEntropyGrad(F logits, I labels, F dloss, F dlogits, long rows, int vocab, float invCount);

    // Vocabulary-parallel cross entropy (Megatron): the logits' rows are split over devices along
    // the vocabulary; each device reduces its part of a row, an all-reduce combines the parts.

    /** out[r] = max_j x[r][j]. */
    void rowMax(F x, F out, long rows, int n);

    /** out[r] = Σ_j exp(x[r][j] − max[r]). */
    void rowSumExp(F x, F max, F out, long rows, int n);

    /** out[r] = logits[r][labels[r] − vocabStart] when the label is one of this shard's n columns, else 0. */
    void pickTarget(F logits, I labels, F out, long rows, int n, int vocabStart);

    /** loss[0] = invCount·Σ_r (ln sumExp[r] + max[r] − target[r]), from the all-reduced row statistics. */
    void crossEntropyFromStats(F max, F sumExp, F target, F loss, long rows, float invCount);

    /**
     * dlogits = (exp(logits − max)/sumExp − onehot(labels − vocabStart))·dloss[0]·invCount over this
     * shard's n columns, from the all-reduced row statistics.
     */
    void crossEntropyGradFromStats(F logits, I labels, F max, F sumExp, F dloss, F dlogits, long rows, int n,
                                   int vocabStart, float invCount);

    /** loss[0] = invCount·Σ (pred − target)². */
    void mse(F pred, F target, F loss, long n, float invCount);

    /** out = μ·v + g + wd·p. */
    void momentumUpdate(F v, F g, F p, F out, long n, float momentum, float weightDecay);

    /** out = p − lr·u. */
    void sgdApply(F p, F u, F out, long n, float lr);

    /** out = β·m + (1−β)·g (or g² when squared). */
    void adamMoment(F m, F g, F out, long n, float beta, boolean squared);

    /** out = p − lr·(m/(1−β1^t) / (sqrt(v/(1−β2^t)) + ε) + wd·p) with t = step[0]. */
    void adamApply(F p, F m, F v, F step, F out, long n, float lr, float beta1, float beta2, float eps, float weightDecay);

    /** out[0] = t[0] + 1. */
    void stepIncrement(F t, F out);

    /**
     * Top-2 gating over {@code groups} groups of gates [s, e] (see {@link io.github.alpa4j.ir.RoutingOp}):
     * the dispatch mask or combine weights [s, e, c], the gates' gradient from {@code dcombine}
     * (null otherwise), or the first choice's one-hot [s, e].
     */
    void top2Routing(io.github.alpa4j.ir.RoutingOp.Output what, F gates, F dcombine, F out, long groups, int s, int e, int c);

    /**
     * Strided-batched GEMM, row-major: for each of {@code batch} products,
     * C = alpha·op(A)·op(B) + beta·C with A, B, C starting {@code strideA/B/C}·i elements in.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              F a, long strideA, F b, long strideB, float beta, F c, long strideC, int batch);
}
