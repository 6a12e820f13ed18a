// Embedding gather and its scatter-add gradient, for a vocabulary shard holding rows
// vocabStart .. vocabStart + tableRows - 1. A block per token, threads along the hidden size.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
embedding_f32(const int* ids, const float* table, float* out, i64 tokens, int h, int vocabStart, int tableRows) {
    for (i64 t = blockIdx.x; t < tokens; t += gridDim.x) {
        const int row = ids[t] - vocabStart;
        const bool mine = row >= 0 && row < tableRows;
        float* o = out + t * h;
        const float* src = table + (i64)(mine ? row : 0) * h;
        for (int j = threadIdx.x; j < h; j += blockDim.x) {
            o[j] = mine ? src[j] : 0.0f;
        }
    }
}

// dtable[ids[t] - vocabStart] += dy[t] for the shard's ids; dtable must be zeroed first.
// Atomic adds: tokens sharing an id add in no fixed order (float rounding may differ run to run).
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
embedding_grad_f32(const int* ids, const float* dy, float* dtable, i64 tokens, int h, int vocabStart, int tableRows) {
    for (i64 t = blockIdx.x; t < tokens; t += gridDim.x) {
        const int row = ids[t] - vocabStart;
        if (row < 0 || row >= tableRows) {
            continue;
        }
        const float* g = dy + t * h;
        float* dst = dtable + (i64)row * h;
        for (int j = threadIdx.x; j < h; j += blockDim.x) {
            atomicAdd(dst + j, g[j]);
        }
    }
}
