// Losses, scaled by invCount (1 / the global number of rows) so each shard adds its share of
// the global mean. Per-row or per-block partial sums go to a double scratch array, then one
// block adds them up in a fixed order: no atomics, the same result every run.
#include "common.cuh"

// part[r] = logsumexp(logits[r]) - logits[r][labels[r]], in double.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
cross_entropy_rows_f32(const float* logits, const int* labels, double* part, i64 rows, int vocab) {
    __shared__ float maxScratch[32];
    __shared__ double sumScratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* l = logits + r * vocab;
        float m = negInf();
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            m = fmaxf(m, l[j]);
        }
        m = blockMax(m, maxScratch);
        double s = 0.0;
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            s += (double)expf(l[j] - m);
        }
        s = blockSum(s, sumScratch);
        if (threadIdx.x == 0) {
            part[r] = log(s) + (double)m - (double)l[labels[r]];
        }
    }
}

// out[0] = (sum of part) * scale, by one block.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
sum_parts_f32(const double* part, i64 n, float scale, float* out) {
    __shared__ double scratch[32];
    double s = 0.0;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
        s += part[i];
    }
    s = blockSum(s, scratch);
    if (threadIdx.x == 0) {
        out[0] = (float)(s * (double)scale);
    }
}

// dlogits = (softmax(logits) - onehot(label)) * dloss[0] * invCount.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
cross_entropy_grad_f32(const float* logits, const int* labels, const float* dloss, float* dlogits, i64 rows, int vocab,
                       float invCount) {
    __shared__ float maxScratch[32];
    __shared__ double sumScratch[32];
    const float g = dloss[0] * invCount;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* l = logits + r * vocab;
        float* d = dlogits + r * vocab;
        const int label = labels[r];
        float m = negInf();
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            m = fmaxf(m, l[j]);
        }
        m = blockMax(m, maxScratch);
        double s = 0.0;
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            s += (double)expf(l[j] - m);
        }
        const float inv = (float)(1.0 / blockSum(s, sumScratch));
        for (int j = threadIdx.x; j < vocab; j += blockDim.x) {
            const float p = expf(l[j] - m) * inv * g;
            d[j] = j == label ? p - g : p;
        }
    }
}

// part[block] = sum over the block's elements of (pred - target)^2, in double.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
mse_parts_f32(const float* pred, const float* target, double* part, i64 n) {
    __shared__ double scratch[32];
    double s = 0.0;
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        const double d = (double)(pred[i] - target[i]);
        s += d * d;
    }
    s = blockSum(s, scratch);
    if (threadIdx.x == 0) {
        part[blockIdx.x] = s;
    }
}
