package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.CpuKernels;
import io.github.alpa4j.kernels.Kernels;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A simulated device in host memory: buffers are Java arrays, kernels the CPU twins and OpenBLAS.
 * A mesh device computes on its own thread; a whole machine ({@link #wholeMachine}) splits its
 * kernels over several threads. Either keeps freed arrays by length for the next tensor of that
 * length, so a step after the first allocates nothing: left to the garbage collector, a 2x2 mesh's
 * fresh activations (tens of megabytes a step) were promoted and copied by young collections whose
 * pauses, on two cores, took a third of the step and varied it several-fold.
 */
public final class CpuBackend implements Backend<float[], int[]> {
    private final CpuKernels kernels;
    private final String name;
    /** Freed arrays by {@link #key}. */
    private final Map<Long, ArrayDeque<Object>> reusable;
    private long arraysCreated;

    private CpuBackend(String name, int threads) {
        this.name = name;
        this.kernels = new CpuKernels(threads);
        this.reusable = new HashMap<>();
    }

    /** A simulated mesh device: one thread. */
    public CpuBackend(String name) {
        this(name, 1);
    }

    public CpuBackend() {
        this("cpu");
    }

    /** One device that computes with {@code threads} threads and reuses its buffers. */
    public static CpuBackend wholeMachine(int threads) {
        return new CpuBackend("cpu", threads);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kernels<float[], int[]> kernels() {
        return kernels;
    }

    /** Threads the kernels split over. */
    public int threads() {
        return kernels.threads();
    }

    private static long key(int length, boolean ints) {
        return 2L * length + (ints ? 1 : 0);
    }

    @Override
    public Object allocate(TensorType t) {
        int n = Math.toIntExact(t.size());
        boolean ints = t.dtype() == DType.I32;
        ArrayDeque<Object> held = reusable.get(key(n, ints));
        if (held != null && !held.isEmpty()) {
            return held.pop();
        }
        arraysCreated++;
        return ints ? new int[n] : new float[n];
    }

    /** Arrays this device has created so far; every other allocation reused a freed one. */
    public long arraysCreated() {
        return arraysCreated;
    }

    @Override
    public void free(Object buffer) {
        long k = buffer instanceof int[] ints ? key(ints.length, true) : key(((float[]) buffer).length, false);
        reusable.computeIfAbsent(k, x -> new ArrayDeque<>()).push(buffer);
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
        kernels.close();
    }
}
