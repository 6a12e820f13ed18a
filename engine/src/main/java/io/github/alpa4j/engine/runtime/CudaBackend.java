package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.Cublas;
import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.cuda.GemmPrecision;
import io.github.alpa4j.cuda.PoolStats;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.kernels.cuda.CudaKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * One logical device on a GPU: its own stream, its own caching pool of device memory, a cuBLAS
 * handle on the stream, and the GPU's shared kernel modules. Kernels and products are queued on the
 * stream and return at once; only {@link #upload}, {@link #download} and {@link #synchronize} wait
 * for the stream, so a training step runs without the host waiting on the GPU between its first
 * upload and its final download. Several backends may share one {@link GpuContext}.
 */
public final class CudaBackend implements Backend<DeviceBuffer, DeviceBuffer> {
    private final String name;
    private final CudaStream stream;
    private final DevicePool pool;
    private final Cublas cublas;
    private final CudaMatmul matmul;
    private final CudaDeviceKernels kernels;
    private boolean closed;

    private CudaBackend(String name, CudaStream stream, DevicePool pool, Cublas cublas, CudaMatmul matmul, CudaDeviceKernels kernels) {
        this.name = name;
        this.stream = stream;
        this.pool = pool;
        this.cublas = cublas;
        this.matmul = matmul;
        this.kernels = kernels;
    }

    /** A logical device named {@code name} on {@code gpu}, with matrix products at {@code precision}. */
    public static CudaBackend open(GpuContext gpu, String name, MatmulPrecision precision) {
        CudaStream stream = CudaStream.create(gpu.device());
        DevicePool pool = null;
        Cublas cublas = null;
        try {
            pool = DevicePool.create(gpu.device());
            cublas = Cublas.create(stream, pool);
            // CudaKernels' own product takes float32 operands only; CudaMatmul runs every precision
            CudaKernels k = new CudaKernels(stream, pool, cublas, gpu.modules(), GemmPrecision.FP32);
            CudaMatmul matmul = new CudaMatmul(stream, pool, cublas, k, precision);
            return new CudaBackend(name, stream, pool, cublas, matmul, new CudaDeviceKernels(k, matmul));
        } catch (RuntimeException e) {
            closeAll(e, cublas, pool, stream);
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kernels<DeviceBuffer, DeviceBuffer> kernels() {
        return kernels;
    }

    public MatmulPrecision precision() {
        return matmul.precision();
    }

    /** This device's stream (collectives order their copies on it). */
    public CudaStream stream() {
        return stream;
    }

    /** This device's memory (collectives take scratch from it). */
    public DevicePool pool() {
        return pool;
    }

    /** The pool's accounting: {@link PoolStats#deviceMallocs()} stays put once steps repeat. */
    public PoolStats poolStats() {
        return pool.stats();
    }

    @Override
    public Object allocate(TensorType t) {
        // 4-byte elements for every type: bf16 and f16 tensors are float32 storage holding the narrow type's values
        return pool.allocate(4L * t.size());
    }

    /** Returns the buffer to the pool; work already queued on this stream may still read it, later work cannot see it reused before. */
    @Override
    public void free(Object buffer) {
        ((DeviceBuffer) buffer).close();
    }

    @Override
    public void upload(Tensor host, Object buffer) {
        DeviceBuffer b = (DeviceBuffer) buffer;
        if (host.isInt()) {
            stream.copyToDevice(host.ints(), b);
        } else {
            stream.copyToDevice(host.floats(), b);
        }
    }

    @Override
    public Tensor download(Object buffer, TensorType t) {
        DeviceBuffer b = (DeviceBuffer) buffer;
        int n = Math.toIntExact(t.size());
        if (t.dtype() == DType.I32) {
            int[] v = new int[n];
            stream.copyToHost(b, v);
            return Tensor.ofInts(t, v);
        }
        float[] v = new float[n];
        stream.copyToHost(b, v);
        return Tensor.of(t, v);
    }

    @Override
    public void synchronize() {
        stream.synchronize();
    }

    /** The products of this device (for benchmarks of single shapes). */
    CudaMatmul matmul() {
        return matmul;
    }

    /** Waits for queued work, then frees the events, the cuBLAS handle, every block of the pool, and the stream. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        try {
            stream.synchronize();
        } catch (RuntimeException e) {
            first = e;
        }
        closeAll(first, matmul, cublas, pool, stream);
    }

    /** Closes each in order, keeping the first failure (added to {@code first} if given) and throwing it at the end. */
    private static void closeAll(RuntimeException first, AutoCloseable... parts) {
        List<RuntimeException> failures = new ArrayList<>();
        for (AutoCloseable c : parts) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (RuntimeException e) {
                failures.add(e);
            } catch (Exception e) {
                failures.add(new IllegalStateException(e));
            }
        }
        if (failures.isEmpty()) {
            if (first != null) {
                throw first;
            }
            return;
        }
        RuntimeException head = first != null ? first : failures.removeFirst();
        failures.forEach(head::addSuppressed);
        throw head;
    }

    @Override
    public String toString() {
        return "CudaBackend[" + name + ", " + precision().code() + "]";
    }
}
