package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.CpuKernels;
import io.github.alpa4j.kernels.Kernels;

/** A simulated device in host memory: buffers are Java arrays, kernels the CPU twins and OpenBLAS. */
public final class CpuBackend implements Backend<float[], int[]> {
    private final CpuKernels kernels = new CpuKernels();
    private final String name;

    public CpuBackend(String name) {
        this.name = name;
    }

    public CpuBackend() {
        this("cpu");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kernels<float[], int[]> kernels() {
        return kernels;
    }

    @Override
    public Object allocate(TensorType t) {
        int n = Math.toIntExact(t.size());
        return t.dtype() == DType.I32 ? new int[n] : new float[n];
    }

    @Override
    public void free(Object buffer) {
        // garbage collected
    }

    @Override
    public void upload(Tensor host, Object buffer) {
        if (host.isInt()) {
            System.arraycopy(host.ints(), 0, (int[]) buffer, 0, host.size());
        } else {
            System.arraycopy(host.floats(), 0, (float[]) buffer, 0, host.size());
        }
    }

    @Override
    public Tensor download(Object buffer, TensorType t) {
        return t.dtype() == DType.I32 ? Tensor.ofInts(t, ((int[]) buffer).clone()) : Tensor.of(t, ((float[]) buffer).clone());
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
    }
}
