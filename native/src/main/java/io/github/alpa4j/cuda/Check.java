package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.global.nvrtc;

/** Turns the status codes each CUDA library returns into {@link CudaException}s. */
final class Check {
    private Check() {
    }

    /** A runtime API status (cudaError_t). */
    static void cuda(int status, String call) {
        if (status != cudart.cudaSuccess) {
            throw new CudaException(call, status, cudartName(status), cudartText(status), OpScope.current());
        }
    }

    /** A driver API status (CUresult). */
    static void driver(int status, String call) {
        if (status != cudart.CUDA_SUCCESS) {
            String name;
            String text;
            try (BytePointer n = new BytePointer((org.bytedeco.javacpp.Pointer) null);
                 BytePointer t = new BytePointer((org.bytedeco.javacpp.Pointer) null)) {
                name = cudart.cuGetErrorName(status, n) == 0 && !n.isNull() ? n.getString() : "CUresult " + status;
                text = cudart.cuGetErrorString(status, t) == 0 && !t.isNull() ? t.getString() : "";
            }
            throw new CudaException(call, status, name, text, OpScope.current());
        }
    }

    static void cublas(int status, String call) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call, status, string(cublas.cublasGetStatusName(status)),
                    string(cublas.cublasGetStatusString(status)), OpScope.current());
        }
    }

    static void nvrtc(int status, String call) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            String text = string(nvrtc.nvrtcGetErrorString(status));
            throw new CudaException(call, status, text, "", OpScope.current());
        }
    }

    static void nccl(int status, String call, org.bytedeco.cuda.nccl.ncclComm comm) {
        if (status != nccl.ncclSuccess) {
            String last = comm == null ? "" : string(nccl.ncclGetLastError(comm));
            String text = string(nccl.ncclGetErrorString(status));
            throw new CudaException(call, status, "ncclResult " + status, last.isBlank() ? text : text + ": " + last,
                    OpScope.current());
        }
    }

    static void nvml(int status, String call) {
        if (status != nvml.NVML_SUCCESS) {
            throw new CudaException(call, status, "nvmlReturn " + status, string(nvml.nvmlErrorString(status)), OpScope.current());
        }
    }

    static String cudartName(int status) {
        return string(cudart.cudaGetErrorName(status));
    }

    static String cudartText(int status) {
        return string(cudart.cudaGetErrorString(status));
    }

    static String string(BytePointer p) {
        return p == null || p.isNull() ? "" : p.getString();
    }
}
