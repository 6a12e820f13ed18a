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

// Low-precision tensors are float32 storage holding only the narrow type's values: each op whose
// output is bf16 or f16 rounds it in place with one of these (LowPrecision.java is the CPU twin).
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
round_bf16_f32(const float* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = __uint_as_float(((unsigned int)toBf16(x[i])) << 16);
    }
}

// f16: 11 significant bits, normals from 2^-14, largest 65504. Normals drop 13 mantissa bits, ties
// to even (a carry into the exponent is the right answer); below 2^-14 the spacing is 2^-24 (the
// subnormals); past 65504 to infinity, as IEEE rounding does (Float.floatToFloat16 in Java).
__device__ __forceinline__ float roundF16(float f) {
    const unsigned int u = __float_as_uint(f);
    const unsigned int sign = u & 0x80000000u;
    const unsigned int a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) {
        return f; // infinity, NaN
    }
    if (a < 0x38800000u) {
        return rintf(f * 16777216.0f) * 5.9604644775390625e-8f; // |f| < 2^-14: multiples of 2^-24, exact scalings
    }
    const unsigned int r = (a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu;
    return __uint_as_float(sign | (r > 0x477fe000u ? 0x7f800000u : r));
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
round_f16_f32(const float* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = roundF16(x[i]);
    }
}

// fp16 loss scaling's overflow check (GradScaler's found_inf): flag[0] = 1 where any element is
// infinite or NaN (all-ones exponent); writers race only to store the same value.
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
flag_nonfinite_f32(const float* x, i64 n, float* flag) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        if ((__float_as_uint(x[i]) & 0x7f800000u) == 0x7f800000u) {
            flag[0] = 1.0f;
        }
    }
}
