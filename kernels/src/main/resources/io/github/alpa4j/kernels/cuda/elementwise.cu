// Element-wise kernels: fill, strided binary arithmetic (every broadcast), activations and their
// gradients, scaling. The CPU twin is CpuKernels; expressions keep its evaluation order, and the
// module is compiled with --fmad=false, so products and sums round exactly as Java's floats do.
#include "common.cuh"

// sqrt(2/pi) and the cubic coefficient of GPT-2's tanh GELU, as float (CpuKernels.GELU_C).
#define GELU_C 0x1.988454p-1f
#define GELU_K 0.044715f

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
fill_f32(float* out, i64 n, float value) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        out[i] = value;
    }
}

template <int KIND>
__device__ __forceinline__ float binaryOp(float a, float b) {
    if (KIND == 0) {
        return a + b;
    } else if (KIND == 1) {
        return a - b;
    } else if (KIND == 2) {
        return a * b;
    } else {
        return a / b;
    }
}

template <int KIND>
__device__ __forceinline__ void binaryStrided(const float* a, const float* b, float* out, const NdLayout& L, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        i64 ia;
        i64 ib;
        ndOffsets(L, (u64)i, ia, ib);
        out[i] = binaryOp<KIND>(a[ia], b[ib]);
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
add_f32(const float* a, const float* b, float* out, NdLayout layout, i64 n) {
    binaryStrided<0>(a, b, out, layout, n);
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
sub_f32(const float* a, const float* b, float* out, NdLayout layout, i64 n) {
    binaryStrided<1>(a, b, out, layout, n);
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
mul_f32(const float* a, const float* b, float* out, NdLayout layout, i64 n) {
    binaryStrided<2>(a, b, out, layout, n);
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
div_f32(const float* a, const float* b, float* out, NdLayout layout, i64 n) {
    binaryStrided<3>(a, b, out, layout, n);
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
relu_f32(const float* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        float v = x[i];
        y[i] = v > 0.0f ? v : 0.0f;
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
relu_grad_f32(const float* x, const float* dy, float* dx, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
gelu_f32(const float* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        float v = x[i];
        float t = tanhf(GELU_C * (v + GELU_K * v * v * v));
        y[i] = 0.5f * v * (1.0f + t);
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
gelu_grad_f32(const float* x, const float* dy, float* dx, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        float v = x[i];
        float t = tanhf(GELU_C * (v + GELU_K * v * v * v));
        float d = 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * GELU_C * (1.0f + 3.0f * GELU_K * v * v);
        dx[i] = d * dy[i];
    }
}

// 1/sqrt(x) as the CPU twin computes it: correctly rounded sqrtf, then a correctly rounded division
// (NVRTC's defaults, -prec-sqrt=true -prec-div=true; rsqrtf would differ in the last bits).
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
rsqrt_f32(const float* x, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = 1.0f / sqrtf(x[i]);
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
rsqrt_grad_f32(const float* x, const float* dy, float* dx, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        float r = 1.0f / sqrtf(x[i]);
        dx[i] = -0.5f * r * r * r * dy[i];
    }
}

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
scale_f32(const float* x, float alpha, float* y, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        y[i] = alpha * x[i];
    }
}
