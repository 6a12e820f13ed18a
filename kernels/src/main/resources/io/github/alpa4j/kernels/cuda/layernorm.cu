// Layer norm over rows of h, forward and backward, as the CPU twin computes it: mean and
// variance in double (two passes), 1/sqrt(var + eps) rounded to float, the rest in float.
#include "common.cuh"

// Mean and 1/sqrt(var + eps) of a row, rounded to float; every thread of the block gets them.
__device__ __forceinline__ void rowMoments(const float* xr, int h, float eps, double* scratch, float& mean, float& rstd) {
    double s = 0.0;
    for (int j = threadIdx.x; j < h; j += blockDim.x) {
        s += (double)xr[j];
    }
    const double mu = blockSum(s, scratch) / h;
    double v = 0.0;
    for (int j = threadIdx.x; j < h; j += blockDim.x) {
        const double d = (double)xr[j] - mu;
        v += d * d;
    }
    const double var = blockSum(v, scratch) / h;
    mean = (float)mu;
    rstd = (float)(1.0 / sqrt(var + (double)eps));
}

extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
layer_norm_f32(const float* x, const float* gamma, const float* beta, float* y, i64 rows, int h, float eps) {
    __shared__ double scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * h;
        float* yr = y + r * h;
        float mean;
        float rstd;
        rowMoments(xr, h, eps, scratch, mean, rstd);
        for (int j = threadIdx.x; j < h; j += blockDim.x) {
            yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
        }
    }
}

// dx = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)).
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
layer_norm_grad_f32(const float* x, const float* gamma, const float* dy, float* dx, i64 rows, int h, float eps) {
    __shared__ double scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const float* xr = x + r * h;
        const float* gr = dy + r * h;
        float* dr = dx + r * h;
        float mean;
        float rstd;
        rowMoments(xr, h, eps, scratch, mean, rstd);
        double sumG = 0.0;
        double sumGX = 0.0;
        for (int j = threadIdx.x; j < h; j += blockDim.x) {
            const double g = (double)(gr[j] * gamma[j]);
            sumG += g;
            sumGX += g * (double)(xr[j] - mean) * (double)rstd;
        }
        const float meanG = (float)(blockSum(sumG, scratch) / h);
        const float meanGX = (float)(blockSum(sumGX, scratch) / h);
        for (int j = threadIdx.x; j < h; j += blockDim.x) {
            const float xhat = (xr[j] - mean) * rstd;
            dr[j] = rstd * (gr[j] * gamma[j] - meanG - xhat * meanGX);
        }
    }
}

// stats[2r] = mean, stats[2r+1] = 1/sqrt(var + eps) of row r (for the gamma gradient).
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
layer_norm_stats_f32(const float* x, float* stats, i64 rows, int h, float eps) {
    __shared__ double scratch[32];
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        float mean;
        float rstd;
        rowMoments(x + r * h, h, eps, scratch, mean, rstd);
        if (threadIdx.x == 0) {
            stats[2 * r] = mean;
            stats[2 * r + 1] = rstd;
        }
    }
}

// dgamma[j] = sum over rows of dy * xhat, written (not accumulated). blockDim = (32, 32):
// x picks the column (neighbouring addresses), y strides over rows.
extern "C" __global__ void __launch_bounds__(A4J_ROW_THREADS)
layer_norm_gamma_grad_f32(const float* x, const float* dy, const float* stats, float* dgamma, i64 rows, int h) {
    __shared__ double part[32][33];
    for (i64 tile = blockIdx.x; tile * 32 < h; tile += gridDim.x) {
        const i64 j = tile * 32 + threadIdx.x;
        double s = 0.0;
        if (j < h) {
            for (i64 r = threadIdx.y; r < rows; r += blockDim.y) {
                const float mean = stats[2 * r];
                const float rstd = stats[2 * r + 1];
                s += (double)(dy[r * h + j] * (x[r * h + j] - mean) * rstd);
            }
        }
        part[threadIdx.y][threadIdx.x] = s;
        __syncthreads();
        if (threadIdx.y == 0 && j < h) {
            double t = 0.0;
            for (int k = 0; k < (int)blockDim.y; ++k) {
                t += part[k][threadIdx.x];
            }
            dgamma[j] = (float)t;
        }
        __syncthreads();
    }
}
