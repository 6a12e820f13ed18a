// Strided copy: permutes, broadcasts and any other gather whose source is a strided view.
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(A4J_ELEMENTWISE_THREADS)
strided_copy_f32(const float* x, float* y, NdLayout layout, i64 n) {
    for (i64 i = firstThread(); i < n; i += threadCount()) {
        i64 ix;
        i64 unused;
        ndOffsets(layout, (u64)i, ix, unused);
        y[i] = x[ix];
    }
}
