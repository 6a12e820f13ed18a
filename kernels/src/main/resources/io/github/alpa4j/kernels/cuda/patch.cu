// im2col and col2im on NHWC images, windows channel-major (the CPU twin's CpuPatches): column
// (c*kh + i)*kw + j of the window at output pixel (y, x) holds pixel (y*s + i - p, x*s + j - p) of
// channel c, zero in the padding. A thread per output element; col2im gathers in increasing (i, j),
// so no atomics and the same sum as the CPU.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
im2col_f32(const float* x, float* out, int n, int h, int w, int c, int kh, int kw, int s, int p) {
    const int ho = (h + 2 * p - kh) / s + 1;
    const int wo = (w + 2 * p - kw) / s + 1;
    const int kk = kh * kw;
    const i64 k = (i64)c * kk;
    const i64 total = (i64)n * ho * wo * k;
    for (i64 e = firstThread(); e < total; e += threadCount()) {
        const i64 pix = e / k;
        const int col = (int)(e - pix * k);
        const int ch = col / kk;
        const int i = (col - ch * kk) / kw;
        const int j = col - ch * kk - i * kw;
        const int xx = (int)(pix % wo);
        const i64 by = pix / wo;
        const int y = (int)(by % ho);
        const i64 b = by / ho;
        const int sy = y * s + i - p;
        const int sx = xx * s + j - p;
        out[e] = (sy < 0 || sy >= h || sx < 0 || sx >= w) ? 0.0f : x[((b * h + sy) * w + sx) * c + ch];
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
col2im_f32(const float* col, float* out, int n, int h, int w, int c, int kh, int kw, int s, int p) {
    const int ho = (h + 2 * p - kh) / s + 1;
    const int wo = (w + 2 * p - kw) / s + 1;
    const i64 k = (i64)c * kh * kw;
    const i64 total = (i64)n * h * w * c;
    for (i64 e = firstThread(); e < total; e += threadCount()) {
        const int ch = (int)(e % c);
        const i64 pix = e / c;
        const int sx = (int)(pix % w);
        const i64 by = pix / w;
        const int sy = (int)(by % h);
        const i64 b = by / h;
        float acc = 0.0f;
        for (int i = 0; i < kh; i++) {
            const int ty = sy + p - i;
            if (ty < 0 || ty % s != 0 || ty / s >= ho) {
                continue;
            }
            for (int j = 0; j < kw; j++) {
                const int tx = sx + p - j;
                if (tx < 0 || tx % s != 0 || tx / s >= wo) {
                    continue;
                }
                acc += col[((b * ho + ty / s) * wo + tx / s) * k + ((i64)ch * kh + i) * kw + j];
            }
        }
        out[e] = acc;
    }
}
