package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.DeviceBuffer;

/** The matrix product behind {@link CudaKernels#gemm}: cuBLAS on a GPU. */
@FunctionalInterface
interface GemmRunner {
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, long strideA,
              DeviceBuffer b, long strideB, float beta, DeviceBuffer c, long strideC, int batch);
}
