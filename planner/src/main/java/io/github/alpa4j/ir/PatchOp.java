package io.github.alpa4j.ir;

import java.util.List;

/**
 * Sliding windows over NHWC images, the data movement of a convolution and of pooling: a 2-D
 * convolution is {@link Im2Col} followed by a matrix product with a [C·kh·kw, C_out] weight (im2col
 * and one GEMM, as cuDNN's and oneDNN's GEMM paths do it), and average pooling is {@link Im2Col}
 * followed by a mean over the window. Windows are laid out channel-major, (c, i, j), so a block of
 * channels is a contiguous block of the window dimension: splitting the input's channels splits the
 * GEMM's contraction dimension, and the product ends partial over that axis.
 */
public sealed interface PatchOp extends Op {

    int kh();

    int kw();

    int stride();

    int pad();

    @Override
    default int arity() {
        return 1;
    }

    @Override
    default long flops(List<TensorType> inputs, TensorType output) {
        return 0; // data movement only; its cost is its bytes
    }

    /** Output size of a window sweep: ⌊(n + 2·pad − k) / stride⌋ + 1. */
    static int swept(int n, int k, int stride, int pad) {
        return (n + 2 * pad - k) / stride + 1;
    }

    private static void checkWindow(PatchOp op, List<TensorType> in, int h, int w) {
        if (op.kh() < 1 || op.kw() < 1 || op.stride() < 1 || op.pad() < 0) {
            throw Op.mismatch(op, "window " + op.kh() + "x" + op.kw() + " stride " + op.stride() + " pad " + op.pad()
                    + " is not a window", in);
        }
        if (h + 2 * op.pad() < op.kh() || w + 2 * op.pad() < op.kw()) {
            throw Op.mismatch(op, "window " + op.kh() + "x" + op.kw() + " is larger than the padded image " + h + "x" + w, in);
        }
    }

    /**
     * [N, H, W, C] → [N, Ho, Wo, C·kh·kw]: out[n, y, x, (c·kh + i)·kw + j] = in[n, y·s + i − p, x·s + j − p, c],
     * zero where the window reaches into the padding.
     */
    record Im2Col(int kh, int kw, int stride, int pad) implements PatchOp {
        @Override
        public String opName() {
            return "im2col";
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            TensorType x = in.get(0);
            if (x.rank() != 4) {
                throw Op.mismatch(this, "needs an NHWC image [N, H, W, C]", in);
            }
            PatchOp.checkWindow(this, in, x.dim(1), x.dim(2));
            return x.withShape(Shape.of(x.dim(0), swept(x.dim(1), kh, stride, pad), swept(x.dim(2), kw, stride, pad),
                    x.dim(3) * kh * kw));
        }
    }

    /**
     * The adjoint of {@link Im2Col} (the gradient of a convolution's input): [N, Ho, Wo, C·kh·kw] →
     * [N, H, W, C], each window element added back where it was read from; padding is dropped.
     */
    record Col2Im(int h, int w, int kh, int kw, int stride, int pad) implements PatchOp {
        @Override
        public String opName() {
            return "col2im";
        }

        @Override
        public TensorType infer(List<TensorType> in) {
            expectArity(in);
            Op.requireFloat(this, in, 0);
            TensorType col = in.get(0);
            if (col.rank() != 4 || col.dim(3) % (kh * kw) != 0) {
                throw Op.mismatch(this, "needs windows [N, Ho, Wo, C·" + kh + "·" + kw + "]", in);
            }
            PatchOp.checkWindow(this, in, h, w);
            if (col.dim(1) != swept(h, kh, stride, pad) || col.dim(2) != swept(w, kw, stride, pad)) {
                throw Op.mismatch(this, "windows do not sweep a " + h + "x" + w + " image", in);
            }
            return col.withShape(Shape.of(col.dim(0), h, w, col.dim(3) / (kh * kw)));
        }

        @Override
        public long flops(List<TensorType> inputs, TensorType output) {
            return inputs.get(0).size(); // one add per window element
        }
    }
}
