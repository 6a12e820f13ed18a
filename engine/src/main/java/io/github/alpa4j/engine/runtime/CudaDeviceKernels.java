package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.Activation;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.kernels.cuda.CudaKernels;

/**
 * The kernels of one logical CUDA device: {@link CudaKernels} on its stream, with matrix products
 * routed through {@link CudaMatmul} so they run at the chosen precision (CudaKernels itself takes
 * float32 operands only) and can be timed.
 */
final class CudaDeviceKernels implements Kernels<DeviceBuffer, DeviceBuffer> {
    private final CudaKernels kernels;
    private final CudaMatmul matmul;

    CudaDeviceKernels(CudaKernels kernels, CudaMatmul matmul) {
        this.kernels = kernels;
        this.matmul = matmul;
    }

    @Override
    public void fill(DeviceBuffer out, long n, float value) {
        kernels.fill(out, n, value);
    }

    @Override
    public void copy(DeviceBuffer x, long xOff, DeviceBuffer out, long outOff, long n) {
        kernels.copy(x, xOff, out, outOff, n);
    }

    @Override
    public void binary(BinaryKind kind, DeviceBuffer a, long[] aStrides, DeviceBuffer b, long[] bStrides, DeviceBuffer out, int[] outDims) {
        kernels.binary(kind, a, aStrides, b, bStrides, out, outDims);
    }

    @Override
    public void strided(DeviceBuffer x, long xOffset, long[] xStrides, DeviceBuffer y, int[] outDims) {
        kernels.strided(x, xOffset, xStrides, y, outDims);
    }

    @Override
    public void im2col(DeviceBuffer x, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        kernels.im2col(x, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void col2im(DeviceBuffer col, int n, int h, int w, int c, int kh, int kw, int stride, int pad, DeviceBuffer out) {
        kernels.col2im(col, n, h, w, c, kh, kw, stride, pad, out);
    }

    @Override
    public void activation(Activation act, DeviceBuffer x, DeviceBuffer y, long n) {
        kernels.activation(act, x, y, n);
    }

    @Override
    public void activationGrad(Activation act, DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dx, long n) {
        kernels.activationGrad(act, x, dy, dx, n);
    }

    @Override
    public void scale(DeviceBuffer x, float alpha, DeviceBuffer y, long n) {
        kernels.scale(x, alpha, y, n);
    }

    @Override
    public void round(DType type, DeviceBuffer x, DeviceBuffer y, long n) {
        kernels.round(type, x, y, n);
    }

    @Override
    public void flagNonFinite(DeviceBuffer x, long n, DeviceBuffer flag) {
        kernels.flagNonFinite(x, n, flag);
    }

    @Override
    public void reduceSum(DeviceBuffer x, int[] dims, boolean[] reduced, float scale, DeviceBuffer y) {
        kernels.reduceSum(x, dims, reduced, scale, y);
    }

    @Override
    public void softmax(DeviceBuffer x, DeviceBuffer y, long rows, int n, int causalSeq) {
        kernels.softmax(x, y, rows, n, causalSeq);
    }

    @Override
    public void softmaxGrad(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, long rows, int n) {
        kernels.softmaxGrad(y, dy, dx, rows, n);
    }

    @Override
    public void layerNorm(DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer y, long rows, int h, float eps) {
        kernels.layerNorm(x, gamma, beta, y, rows, h, eps);
    }

    @Override
    public void layerNormGrad(DeviceBuffer x, DeviceBuffer gamma, DeviceBuffer dy, DeviceBuffer dx, long rows, int h, float eps) {
        kernels.layerNormGrad(x, gamma, dy, dx, rows, h, eps);
    }

    @Override
    public void layerNormGammaGrad(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dgamma, long rows, int h, float eps) {
        kernels.layerNormGammaGrad(x, dy, dgamma, rows, h, eps);
    }

    @Override
    public void embedding(DeviceBuffer ids, DeviceBuffer table, DeviceBuffer out, long n, int h, int vocabStart, int tableRows) {
        kernels.embedding(ids, table, out, n, h, vocabStart, tableRows);
    }

    @Override
    public void embeddingGrad(DeviceBuffer ids, DeviceBuffer dy, DeviceBuffer dtable, long n, int h, int vocabStart, int tableRows) {
        kernels.embeddingGrad(ids, dy, dtable, n, h, vocabStart, tableRows);
    }

    @Override
    public void crossEntropy(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer loss, long rows, int vocab, float invCount) {
        kernels.crossEntropy(logits, labels, loss, rows, vocab, invCount);
    }

    @Override
    public void crossEntropyGrad(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int vocab, float invCount) {
        kernels.crossEntropyGrad(logits, labels, dloss, dlogits, rows, vocab, invCount);
    }

    @Override
    public void rowMax(DeviceBuffer x, DeviceBuffer out, long rows, int n) {
        kernels.rowMax(x, out, rows, n);
    }

    @Override
    public void rowSumExp(DeviceBuffer x, DeviceBuffer max, DeviceBuffer out, long rows, int n) {
        kernels.rowSumExp(x, max, out, rows, n);
    }

    @Override
    public void pickTarget(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer out, long rows, int n, int vocabStart) {
        kernels.pickTarget(logits, labels, out, rows, n, vocabStart);
    }

    @Override
    public void crossEntropyFromStats(DeviceBuffer max, DeviceBuffer sumExp, DeviceBuffer target, DeviceBuffer loss, long rows, float invCount) {
        kernels.crossEntropyFromStats(max, sumExp, target, loss, rows, invCount);
    }

    @Override
    public void crossEntropyGradFromStats(DeviceBuffer logits, DeviceBuffer labels, DeviceBuffer max, DeviceBuffer sumExp, DeviceBuffer dloss, DeviceBuffer dlogits, long rows, int n, int vocabStart, float invCount) {
        kernels.crossEntropyGradFromStats(logits, labels, max, sumExp, dloss, dlogits, rows, n, vocabStart, invCount);
    }

    @Override
    public void mse(DeviceBuffer pred, DeviceBuffer target, DeviceBuffer loss, long n, float invCount) {
        kernels.mse(pred, target, loss, n, invCount);
    }

    @Override
    public void momentumUpdate(DeviceBuffer v, DeviceBuffer g, DeviceBuffer p, DeviceBuffer out, long n, float momentum, float weightDecay) {
        kernels.momentumUpdate(v, g, p, out, n, momentum, weightDecay);
    }

    @Override
    public void sgdApply(DeviceBuffer p, DeviceBuffer u, DeviceBuffer out, long n, float lr) {
        kernels.sgdApply(p, u, out, n, lr);
    }

    @Override
    public void adamMoment(DeviceBuffer m, DeviceBuffer g, DeviceBuffer out, long n, float beta, boolean squared) {
        kernels.adamMoment(m, g, out, n, beta, squared);
    }

    @Override
    public void adamApply(DeviceBuffer p, DeviceBuffer m, DeviceBuffer v, DeviceBuffer step, DeviceBuffer out, long n, float lr, float beta1, float beta2, float eps, float weightDecay) {
        kernels.adamApply(p, m, v, step, out, n, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void top2Routing(io.github.alpa4j.ir.RoutingOp.Output what, DeviceBuffer gates, DeviceBuffer dcombine, DeviceBuffer out,
                            long groups, int s, int e, int c) {
        kernels.top2Routing(what, gates, dcombine, out, groups, s, e, c);
    }

    @Override
    public void stepIncrement(DeviceBuffer t, DeviceBuffer out) {
        kernels.stepIncrement(t, out);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, long strideA, DeviceBuffer b, long strideB, float beta, DeviceBuffer c, long strideC, int batch) {
        matmul.gemm(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }
}
