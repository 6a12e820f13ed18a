package io.github.alpa4j.ir.eval;

import io.github.alpa4j.ir.PatchOp;
import io.github.alpa4j.ir.Shape;

/** Float64 im2col and col2im, written from their definitions in {@link PatchOp}. */
final class ReferencePatches {
    private ReferencePatches() {
    }

    static double[] im2col(PatchOp.Im2Col op, double[] x, Shape in, Shape out) {
        double[] r = new double[(int) out.size()];
        int n = in.dim(0), h = in.dim(1), w = in.dim(2), c = in.dim(3);
        int ho = out.dim(1), wo = out.dim(2), k = out.dim(3);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < ho; y++) {
                for (int xx = 0; xx < wo; xx++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < op.kh(); i++) {
                            for (int j = 0; j < op.kw(); j++) {
                                int sy = y * op.stride() + i - op.pad();
                                int sx = xx * op.stride() + j - op.pad();
                                double v = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : x[((b * h + sy) * w + sx) * c + ch];
                                r[((b * ho + y) * wo + xx) * k + (ch * op.kh() + i) * op.kw() + j] = v;
                            }
                        }
                    }
                }
            }
        }
        return r;
    }

    static double[] col2im(PatchOp.Col2Im op, double[] col, Shape in, Shape out) {
        double[] r = new double[(int) out.size()];
        int n = out.dim(0), h = out.dim(1), w = out.dim(2), c = out.dim(3);
        int ho = in.dim(1), wo = in.dim(2), k = in.dim(3);
        for (int b = 0; b < n; b++) {
            for (int y = 0; y < ho; y++) {
                for (int xx = 0; xx < wo; xx++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < op.kh(); i++) {
                            for (int j = 0; j < op.kw(); j++) {
                                int sy = y * op.stride() + i - op.pad();
                                int sx = xx * op.stride() + j - op.pad();
                                if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                                    r[((b * h + sy) * w + sx) * c + ch] += col[((b * ho + y) * wo + xx) * k + (ch * op.kh() + i) * op.kw() + j];
                                }
                            }
                        }
                    }
                }
            }
        }
        return r;
    }
}
