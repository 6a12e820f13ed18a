// Optimizer updates, element-wise, in the CPU twin's evaluation order (compiled with --fmad=false).
#include "common.cuh"

// out = momentum * v + g + weightDecay * p
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
momentum_update_f32(const float* v, const float* g, const float* p, float* out, i64 n, float momentum, float weightDecay) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        out[i] = momentum * v[i] + g[i] + weightDecay * p[i];
    }
}

// out = p - lr * u
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
sgd_apply_f32(const float* p, const float* u, float* out, i64 n, float lr) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        out[i] = p[i] - lr * u[i];
    }
}

// out = beta * m + (1 - beta) * g   (g squared when `squared`)
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
adam_moment_f32(const float* m, const float* g, float* out, i64 n, float beta, int squared) {
    const float c = 1.0f - beta;
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        const float gi = squared ? g[i] * g[i] : g[i];
        out[i] = beta * m[i] + c * gi;
    }
}

// out = p - lr * ((m / c1) / (sqrt(v / c2) + eps) + weightDecay * p), c_k = 1 - beta_k^t, t = step[0].
extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
adam_apply_f32(const float* p, const float* m, const float* v, const float* step, float* out, i64 n,
               float lr, float beta1, float beta2, float eps, float weightDecay) {
    __shared__ float corr[2];
    if (threadIdx.x == 0) {
        const double t = (double)step[0];
        corr[0] = (float)(1.0 - pow((double)beta1, t));
        corr[1] = (float)(1.0 - pow((double)beta2, t));
    }
    __syncthreads();
    const float c1 = corr[0];
    const float c2 = corr[1];
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        const float upd = (m[i] / c1) / (sqrtf(v[i] / c2) + eps) + weightDecay * p[i];
        out[i] = p[i] - lr * upd;
    }
}

// out[0] = t[0] + 1
extern "C" __global__ void __launch_bounds__(32)
step_increment_f32(const float* t, float* out) {
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        out[0] = t[0] + 1.0f;
    }
}
