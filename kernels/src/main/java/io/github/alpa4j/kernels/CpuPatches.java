package io.github.alpa4j.kernels;

/**
 * im2col and col2im on NHWC float32 images, windows channel-major: column (c·kh + i)·kw + j of the
 * window at output pixel (y, x) holds pixel (y·s + i − p, x·s + j − p) of channel c, zero in the
 * padding. col2im gathers rather than scatters: each image pixel sums the window elements that read
 * it, in increasing (i, j), so threads never share an output and the sum is the CUDA kernel's.
 */
final class CpuPatches {
    private CpuPatches() {
    }

    static void im2col(IntraOpPool pool, float[] x, int n, int h, int w, int c, int kh, int kw, int s, int p, float[] out) {
        int ho = (h + 2 * p - kh) / s + 1;
        int wo = (w + 2 * p - kw) / s + 1;
        int k = c * kh * kw;
        pool.parallelFor(n * ho, Math.max(1, 4096 / Math.max(1, wo * k)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int b = row / ho;
                int y = row % ho;
                for (int xx = 0; xx < wo; xx++) {
                    int o = (row * wo + xx) * k;
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < kh; i++) {
                            int sy = y * s + i - p;
                            for (int j = 0; j < kw; j++) {
                                int sx = xx * s + j - p;
                                out[o++] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f : x[((b * h + sy) * w + sx) * c + ch];
                            }
                        }
                    }
                }
            }
        });
    }

    static void col2im(IntraOpPool pool, float[] col, int n, int h, int w, int c, int kh, int kw, int s, int p, float[] out) {
        int ho = (h + 2 * p - kh) / s + 1;
        int wo = (w + 2 * p - kw) / s + 1;
        int k = c * kh * kw;
        pool.parallelFor(n * h, Math.max(1, 4096 / Math.max(1, w * c)), (from, to) -> {
            for (int row = from; row < to; row++) {
                int b = row / h;
                int sy = row % h;
                for (int sx = 0; sx < w; sx++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[(row * w + sx) * c + ch] = gathered(col, b, sy, sx, ch, ho, wo, k, kh, kw, s, p);
                    }
                }
            }
        });
    }

    /** Σ over the windows that read pixel (sy, sx) of channel ch, in increasing (i, j). */
    private static float gathered(float[] col, int b, int sy, int sx, int ch, int ho, int wo, int k, int kh, int kw, int s, int p) {
        float acc = 0f;
        for (int i = 0; i < kh; i++) {
            int ty = sy + p - i;
            if (ty < 0 || ty % s != 0 || ty / s >= ho) {
                continue;
            }
            for (int j = 0; j < kw; j++) {
                int tx = sx + p - j;
                if (tx < 0 || tx % s != 0 || tx / s >= wo) {
                    continue;
                }
                acc += col[((b * ho + ty / s) * wo + tx / s) * k + (ch * kh + i) * kw + j];
            }
        }
        return acc;
    }
}
