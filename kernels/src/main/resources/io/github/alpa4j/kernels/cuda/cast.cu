// fp32 <-> bf16 by bit manipulation (no cuda_bf16.h, so NVRTC needs no headers): round to
// nearest, ties to even; NaN stays a quiet NaN of the same sign. Bf16.java is the CPU twin.
#include "common.cuh"

__device__ __forceinline__ unsigned short toBf16(float f) {
    const unsigned int u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
        return (unsigned short)((u >> 16) | 0x0040u);
    }
    return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
f32_to_bf16(const float* x, unsigned short* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = toBf16(x[i]);
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
bf16_to_f32(const unsigned short* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = __uint_as_float(((unsigned int)x[i]) << 16);
    }
}
