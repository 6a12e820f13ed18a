// Softmax over rows, with the causal mask of attention, and its gradient. A block per row
// (grid-striding over rows): warp-shuffle max and sum, the sum in double like the CPU twin.
#include "common.cuh"

// With causalSeq > 0, row r sees keys 0..(r mod causalSeq); the masked ones come out as 0.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
softmax_f32(const float* x, float* y, i64 rows, int n, int causalSeq) {
    __shared__ float maxScratch[32];
    __shared__ double sumScratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * n;
        float* yr = y + r * n;
        const int valid = causalSeq > 0 ? (int)(r % causalSeq) + 1 : n;
        float m = negInf();
        for (int j = threadIdx.x; j < valid; j += blockDim.x) {
            m = fmaxf(m, xr[j]);
        }
        m = blockMax(m, maxScratch);
        double s = 0.0;
        for (int j = threadIdx.x; j < valid; j += blockDim.x) {
            float e = expf(xr[j] - m);
            yr[j] = e;
            s += (double)e;
        }
        s = blockSum(s, sumScratch);
        const float inv = (float)(1.0 / s);
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            yr[j] = j < valid ? yr[j] * inv : 0.0f;
        }
    }
}

// dx = y * (dy - sum(y * dy)) per row.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
softmax_grad_f32(const float* y, const float* dy, float* dx, i64 rows, int n) {
    __shared__ double scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* yr = y + r * n;
        const float* gr = dy + r * n;
        float* dr = dx + r * n;
        double dot = 0.0;
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            dot += (double)yr[j] * (double)gr[j];
        }
        const float d = (float)blockSum(dot, scratch);
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            dr[j] = yr[j] * (gr[j] - d);
        }
    }
}
