package io.github.alpa4j.kernels;

import java.util.Arrays;

/** The {@link Kernels} contract on the CPU twin. */
class CpuKernelsContractTest extends KernelsContract<float[], int[]> {
    private final CpuKernels cpu = new CpuKernels();

    @Override
    protected Kernels<float[], int[]> kernels() {
        return cpu;
    }

    @Override
    protected float[] floats(float... values) {
        return values.clone();
    }

    @Override
    protected int[] ints(int... values) {
        return values.clone();
    }

    @Override
    protected float[] output(int n) {
        float[] out = new float[n];
        Arrays.fill(out, Float.NaN);
        return out;
    }

    @Override
    protected float[] read(float[] buffer, int n) {
        return Arrays.copyOf(buffer, n);
    }
}
