// Sums over any set of dimensions of a contiguous tensor, times a scale, in double (as the CPU
// twin does). Two shapes of work: a block per output when the reduced elements are contiguous
// (rows), and a 32x32 tile when outputs are contiguous (columns: threads along x read
// neighbouring addresses). The host picks; both compute the same sums.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
reduce_sum_rows_f32(const float* x, float* y, ReduceLayout layout, i64 outputs, i64 reduced, float scale) {
    __shared__ double scratch[32];
    for (i64 o = blockIdx.x; o < outputs; o += gridDim.x) {
        const i64 base = keptOffset(layout, (u64)o);
        double s = 0.0;
        for (i64 r = threadIdx.x; r < reduced; r += blockDim.x) {
            s += (double)x[base + reducedOffset(layout, (u64)r)];
        }
        s = blockSum(s, scratch);
        if (threadIdx.x == 0) {
            y[o] = (float)(s * (double)scale);
        }
    }
}

// blockDim = (32, 32): x picks the output, y strides over the reduced elements.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
reduce_sum_cols_f32(const float* x, float* y, ReduceLayout layout, i64 outputs, i64 reduced, float scale) {
    __shared__ double part[32][33];
    for (i64 tile = blockIdx.x; tile * 32 < outputs; tile += gridDim.x) {
        const i64 o = tile * 32 + threadIdx.x;
        double s = 0.0;
        if (o < outputs) {
            const i64 base = keptOffset(layout, (u64)o);
            for (i64 r = threadIdx.y; r < reduced; r += blockDim.y) {
                s += (double)x[base + reducedOffset(layout, (u64)r)];
            }
        }
        part[threadIdx.y][threadIdx.x] = s;
        __syncthreads();
        if (threadIdx.y == 0 && o < outputs) {
            double t = 0.0;
            for (int k = 0; k < (int)blockDim.y; ++k) {
                t += part[k][threadIdx.x];
            }
            y[o] = (float)(t * (double)scale);
        }
        __syncthreads();
    }
}
