package io.github.alpa4j.ir;

/**
 * Convolutional layers written with the IR's ops, on NHWC images: a convolution is im2col and one
 * GEMM, so the planner shards it as a matrix product (batch rows, output channels as columns, input
 * channels as the contraction, ending partial); batch norm in training mode is its batch statistics
 * (means over batch and image, which end partial over the batch's mesh axis and are all-reduced
 * when the batch is split) and an affine map; pooling is im2col and a mean over each window.
 */
public final class ConvLayers {
    private ConvLayers() {
    }

    /**
     * y[n, y, x, o] = Σ_{c,i,j} x[n, y·s + i − p, x·s + j − p, c] · w[(c·k + i)·k + j, o]; {@code w} is
     * [C·k·k, C_out]. A 1x1 convolution with stride 1 reads its input as it is, with no windows.
     */
    public static Value conv2d(GraphBuilder b, Value x, Value w, int k, int stride, int pad) {
        int c = x.dim(3);
        if (w.type().rank() != 2 || w.dim(0) != c * k * k) {
            throw new ShapeException("conv2d: weight " + w.type() + " must be [" + c * k * k + ", C_out] for " + c + " channels and a "
                    + k + "x" + k + " window");
        }
        Value cols = k == 1 && stride == 1 && pad == 0 ? x : b.apply(new PatchOp.Im2Col(k, k, stride, pad), x);
        return b.matmul(cols, w);
    }

    /**
     * Batch norm in training mode over an NHWC tensor: per channel, mean and (biased) variance over
     * batch, rows and columns; y = (x − mean)·(gamma/√(var + eps)) + beta. No running statistics are
     * kept (the training step does not read them).
     */
    public static Value batchNorm(GraphBuilder b, Value x, Value gamma, Value beta, double eps) {
        int c = x.dim(-1);
        Value mean = b.reduceMean(x, false, 0, 1, 2);
        Value centred = b.sub(x, mean);
        Value var = b.reduceMean(b.mul(centred, centred), false, 0, 1, 2);
        Value inv = b.activation(ElementwiseOp.Activation.RSQRT, b.add(var, b.constant(new TensorType(x.type().dtype(), Shape.of(c)), eps)));
        return b.add(b.mul(centred, b.mul(inv, gamma)), beta);
    }

    /** Average over k x k windows with stride and zero padding; padded elements count (PyTorch's count_include_pad). */
    public static Value avgPool(GraphBuilder b, Value x, int k, int stride, int pad) {
        Value cols = b.apply(new PatchOp.Im2Col(k, k, stride, pad), x);
        Value windows = b.reshape(cols, cols.dim(0), cols.dim(1), cols.dim(2), x.dim(3), k * k);
        return b.reduceMean(windows, false, 4);
    }

    /** [N, H, W, C] → [N, C], the mean over each image. */
    public static Value globalAvgPool(GraphBuilder b, Value x) {
        return b.reduceMean(x, false, 1, 2);
    }
}
