package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;

/**
 * A cuBLAS handle bound to one stream, with its workspace taken from a {@link DevicePool} up front
 * (cuBLAS would otherwise cudaMalloc one inside the first step); one thread uses it at a time. Matrices are row-major here;
 * cuBLAS is column-major, so C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
 */
public final class Cublas implements AutoCloseable {
    /** cuBLAS's recommended workspace on Hopper. */
    static final long WORKSPACE_BYTES = 32L << 20;

    private final CudaStream stream;
    private final cublasContext handle;
    private final DeviceBuffer workspace;
    private final FloatPointer alpha = new FloatPointer(1);
    private final FloatPointer beta = new FloatPointer(1);
    private boolean closed;

    private Cublas(CudaStream stream, cublasContext handle, DeviceBuffer workspace) {
        this.stream = stream;
        this.handle = handle;
        this.workspace = workspace;
    }

    public static Cublas create(CudaStream stream, DevicePool pool) {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.CUBLAS);
        stream.device().makeCurrent();
        cublasContext h = new cublasContext();
        Check.cublas(cublas.cublasCreate_v2(h), "cublasCreate");
        DeviceBuffer ws = null;
        try {
            Check.cublas(cublas.cublasSetStream_v2(h, stream.handle()), "cublasSetStream");
            ws = pool.allocate(WORKSPACE_BYTES);
            // after cublasSetStream, which resets the workspace to cuBLAS's own
            Check.cublas(cublas.cublasSetWorkspace_v2(h, new AddressPointer(ws.address()), ws.bytes()), "cublasSetWorkspace");
            Check.cublas(cublas.cublasSetMathMode(h, cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            return new Cublas(stream, h, ws);
        } catch (RuntimeException e) {
            if (ws != null) {
                ws.close();
            }
            cublas.cublasDestroy_v2(h);
            throw e;
        }
    }

    /**
     * Row-major strided-batched GEMM: for i in [0, batch), C_i = alpha·op(A_i)·op(B_i) + beta·C_i,
     * with op(A) m×k, op(B) k×n, C m×n, and A_i starting {@code strideA}·i elements into {@code a}
     * (stride 0 shares one matrix across the batch). Element sizes follow {@code precision}.
     */
    public void gemm(GemmPrecision precision, boolean transA, boolean transB, int m, int n, int k, float alphaValue,
                     DeviceBuffer a, long strideA, DeviceBuffer b, long strideB, float betaValue,
                     DeviceBuffer c, long strideC, int batch) {
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException("gemm with a negative size: m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
        }
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        int w = precision.operandBytes();
        fits("A", a, strideA, (long) m * k, batch, w);
        fits("B", b, strideB, (long) k * n, batch, w);
        fits("C", c, strideC, (long) m * n, batch, 4);
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        int opA = transA ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        int opB = transB ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
        alpha.put(0, alphaValue);
        beta.put(0, betaValue);
        stream.device().makeCurrent();
        AddressPointer pa = new AddressPointer(a.address());
        AddressPointer pb = new AddressPointer(b.address());
        AddressPointer pc = new AddressPointer(c.address());
        String call = "cublasGemm(" + precision + ", m=" + m + " n=" + n + " k=" + k + " batch=" + batch + ")";
        if (precision == GemmPrecision.FP32) {
            Check.cublas(cublas.cublasSgemmStridedBatched(handle, opB, opA, n, m, k, alpha,
                    new FloatPointer(pb), ldb, strideB, new FloatPointer(pa), lda, strideA, beta,
                    new FloatPointer(pc), n, strideC, batch), call);
        } else {
            int in = precision == GemmPrecision.BF16_INPUTS ? cudart.CUDA_R_16BF : cudart.CUDA_R_32F;
            int compute = precision == GemmPrecision.TF32 ? cublas.CUBLAS_COMPUTE_32F_FAST_TF32 : cublas.CUBLAS_COMPUTE_32F;
            Check.cublas(cublas.cublasGemmStridedBatchedEx(handle, opB, opA, n, m, k, alpha,
                    pb, in, ldb, strideB, pa, in, lda, strideA, beta,
                    pc, cudart.CUDA_R_32F, n, strideC, batch, compute, cublas.CUBLAS_GEMM_DEFAULT), call);
        }
    }

    private static void fits(String name, DeviceBuffer buf, long stride, long matrix, int batch, int elementBytes) {
        long elements = stride * (batch - 1L) + matrix;
        if (stride < 0 || elements * elementBytes > buf.bytes()) {
            throw new IllegalArgumentException("gemm operand " + name + " needs " + elements * elementBytes
                    + " bytes (stride " + stride + ", batch " + batch + "), " + buf + " has " + buf.bytes());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stream.device().makeCurrent();
            try {
                Check.cublas(cublas.cublasDestroy_v2(handle), "cublasDestroy");
            } finally {
                workspace.close();
                alpha.close();
                beta.close();
            }
        }
    }
}
