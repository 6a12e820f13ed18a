// Shared by every kernel family. Compiled by NVRTC at run time (handed over as an in-memory
// header) and by nvcc in the build's tests, so it includes nothing and uses only built-in types.
#pragma once

typedef long long i64;
typedef unsigned long long u64;

#define A4J_MAX_RANK 8
// Block sizes the host launches with; each kernel's __launch_bounds__ promises no more.
#define A4J_ELEMENTWISE_THREADS 256
#define A4J_ROW_THREADS 1024

// Up to two strided operands read over a row-major output of `rank` dimensions. Passed by value;
// the host fills unused slots with dimension 1 and stride 0. Indexed only with constants
// (unrolled loops) so the struct stays in the parameter bank instead of local memory.
struct NdLayout {
    int rank;
    int pad;
    i64 dims[A4J_MAX_RANK];
    i64 strideA[A4J_MAX_RANK];
    i64 strideB[A4J_MAX_RANK];
};

// A reduction of a contiguous tensor: the kept dimensions enumerate outputs (row-major), the
// reduced ones the elements summed into each; strides are the input's.
struct ReduceLayout {
    int keptRank;
    int reducedRank;
    i64 keptDims[A4J_MAX_RANK];
    i64 keptStrides[A4J_MAX_RANK];
    i64 reducedDims[A4J_MAX_RANK];
    i64 reducedStrides[A4J_MAX_RANK];
};

__device__ __forceinline__ i64 firstThread() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ i64 threadCount() { return (i64)gridDim.x * blockDim.x; }

__device__ __forceinline__ float negInf() { return __int_as_float(0xff800000); }

// q = i / d and r = i % d, in 32 bits when i fits (the common case: much cheaper than 64-bit division).
__device__ __forceinline__ u64 divmod(u64 i, unsigned int d, unsigned int& r) {
    if (i <= 0xffffffffull) {
        unsigned int i32 = (unsigned int)i;
        unsigned int q = i32 / d;
        r = i32 - q * d;
        return q;
    }
    u64 q = i / d;
    r = (unsigned int)(i - q * d);
    return q;
}

// Element offsets in operands A and B of output element i.
__device__ __forceinline__ void ndOffsets(const NdLayout& L, u64 i, i64& a, i64& b) {
    a = 0;
    b = 0;
#pragma unroll
    for (int d = A4J_MAX_RANK - 1; d >= 1; --d) {
        if (d < L.rank) {
            unsigned int r;
            i = divmod(i, (unsigned int)L.dims[d], r);
            a += (i64)r * L.strideA[d];
            b += (i64)r * L.strideB[d];
        }
    }
    a += (i64)i * L.strideA[0];
    b += (i64)i * L.strideB[0];
}

__device__ __forceinline__ i64 keptOffset(const ReduceLayout& L, u64 i) {
    i64 off = 0;
#pragma unroll
    for (int d = A4J_MAX_RANK - 1; d >= 1; --d) {
        if (d < L.keptRank) {
            unsigned int r;
            i = divmod(i, (unsigned int)L.keptDims[d], r);
            off += (i64)r * L.keptStrides[d];
        }
    }
    return L.keptRank > 0 ? off + (i64)i * L.keptStrides[0] : 0;
}

__device__ __forceinline__ i64 reducedOffset(const ReduceLayout& L, u64 i) {
    i64 off = 0;
#pragma unroll
    for (int d = A4J_MAX_RANK - 1; d >= 1; --d) {
        if (d < L.reducedRank) {
            unsigned int r;
            i = divmod(i, (unsigned int)L.reducedDims[d], r);
            off += (i64)r * L.reducedStrides[d];
        }
    }
    return L.reducedRank > 0 ? off + (i64)i * L.reducedStrides[0] : 0;
}

// Long sums accumulate in double, as the CPU twin does, so both agree to float rounding.
__device__ __forceinline__ double warpSum(double v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, o);
    }
    return v;
}

__device__ __forceinline__ float warpMax(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    }
    return v;
}

// Sum over a one-dimensional block (a multiple of 32 threads, at most 1024); every thread gets it.
__device__ __forceinline__ double blockSum(double v, double* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = warpSum(v);
    __syncthreads(); // scratch may still be read from a previous call
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = warpSum(lane < warps ? scratch[lane] : 0.0);
        if (lane == 0) {
            scratch[0] = v;
        }
    }
    __syncthreads();
    return scratch[0];
}

__device__ __forceinline__ float blockMax(float v, float* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    v = warpMax(v);
    __syncthreads();
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = warpMax(lane < warps ? scratch[lane] : negInf());
        if (lane == 0) {
            scratch[0] = v;
        }
    }
    __syncthreads();
    return scratch[0];
}
