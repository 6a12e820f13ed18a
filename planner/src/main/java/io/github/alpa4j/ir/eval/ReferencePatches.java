package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.Shape;

/** Float64 im2col and col2im, written from their definitions in {@link PatchOp}. */
final class ReferencePatches {
    private ReferencePatches() {
    }

    /** Visits every window element: its index in the windows tensor and the image pixel it reads, or -1 for padding. */
    private interface Visit {
        void at(int column, int pixel);
    }

    /**
     * Every element of every window of an n x h x w x c image (NHWC) in windows of kh x kw with this stride and
     * padding, ho x wo windows per image, k = c·kh·kw elements per window in channel-major order (c, i, j).
     */
    private static void windows(int n, int h, int w, int c, int ho, int wo, int k, int kh, int kw, int stride, int pad, Visit visit) {
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < ho; y++) {
                for (int xx = 0; xx < wo; xx++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                int sy = y * stride + i - pad;
                                int sx = xx * stride + j - pad;
                                int pixel = sy < 0 || sy >= h || sx < 0 || sx >= w ? -1 : ((b * h + sy) * w + sx) * c + ch;
                                visit.at(((b * ho + y) * wo + xx) * k + (ch * kh + i) * kw + j, pixel);
                            }
                        }
                    }
                }
            }
        }
    }

    static double[] im2col(PatchOp.Im2Col op, double[] x, Shape in, Shape out) {
        double[] r = new double[(int) out.size()];
        windows(in.dim(0), in.dim(1), in.dim(2), in.dim(3), out.dim(1), out.dim(2), out.dim(3), op.kh(), op.kw(), op.stride(), op.pad(),
                (column, pixel) -> r[column] = pixel < 0 ? 0 : x[pixel]);
        return r;
    }

    static double[] col2im(PatchOp.Col2Im op, double[] col, Shape in, Shape out) {
        double[] r = new double[(int) out.size()];
        windows(out.dim(0), out.dim(1), out.dim(2), out.dim(3), in.dim(1), in.dim(2), in.dim(3), op.kh(), op.kw(), op.stride(), op.pad(),
                (column, pixel) -> {
                    if (pixel >= 0) {
                        r[pixel] += col[column];
                    }
                });
        return r;
    }
}
