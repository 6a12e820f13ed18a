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

// Vocabulary-parallel cross entropy: each device holds n columns of every row; row statistics
// are reduced here, all-reduced across the vocabulary's devices by the caller, then used below.

// out[r] = max of row r.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
row_max_f32(const float* x, float* out, i64 rows, int n) {
    __shared__ float scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* l = x + r * n;
        float m = negInf();
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            m = fmaxf(m, l[j]);
        }
        m = blockMax(m, scratch);
        if (threadIdx.x == 0) {
            out[r] = m;
        }
    }
}

// out[r] = sum over row r of exp(x - max[r]), accumulated in double.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
row_sum_exp_f32(const float* x, const float* max, float* out, i64 rows, int n) {
    __shared__ double scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* l = x + r * n;
        const float m = max[r];
        double s = 0.0;
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            s += (double)expf(l[j] - m);
        }
        s = blockSum(s, scratch);
        if (threadIdx.x == 0) {
            out[r] = (float)s;
        }
    }
}

// out[r] = logits[r][labels[r] - vocabStart] when that column is this shard's, else 0.
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
pick_target_f32(const float* logits, const int* labels, float* out, i64 rows, int n, int vocabStart) {
    for (i64 r = firstThread(); r < rows; r += threadCount()) {
        const int j = labels[r] - vocabStart;
        out[r] = (j >= 0 && j < n) ? logits[r * n + j] : 0.0f;
    }
}

// part[r] = ln(sumExp[r]) + max[r] - target[r], in double; summed by sum_parts_f32.
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
cross_entropy_stats_rows_f32(const float* max, const float* sumExp, const float* target, double* part, i64 rows) {
    for (i64 r = firstThread(); r < rows; r += threadCount()) {
        part[r] = log((double)sumExp[r]) + (double)max[r] - (double)target[r];
    }
}

// dlogits over this shard's columns from the reduced row statistics.
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
cross_entropy_grad_stats_f32(const float* logits, const int* labels, const float* max, const float* sumExp,
                             const float* dloss, float* dlogits, i64 rows, int n, int vocabStart, float invCount) {
    const float g = dloss[0] * invCount;
    const i64 total = rows * (i64)n;
    for (i64 i = firstThread(); i < total; i += threadCount()) {
        unsigned int j;
        const i64 r = (i64)divmod((u64)i, (unsigned int)n, j);
        const float inv = (float)(1.0 / (double)sumExp[r]);
        const float p = expf(logits[i] - max[r]) * inv * g;
        dlogits[i] = ((int)j == labels[r] - vocabStart) ? p - g : p;
    }
}
