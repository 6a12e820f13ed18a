package io.github.alpa4j.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.global.cudart;

/** One kernel of a {@link CudaModule}; valid while its module is open. */
public final class CudaFunction {
    private final String name;
    private final CudaDevice device;
    private final CUfunc_st handle;

    CudaFunction(String name, CudaDevice device, CUfunc_st handle) {
        this.name = name;
        this.device = device;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    /** Queues the kernel on {@code stream} with {@code args}; returns at once. */
    public void launch(Dim3 grid, Dim3 block, int sharedBytes, CudaStream stream, KernelArgs args) {
        byte[] packed = args.bytes();
        device.makeCurrent();
        try (BytePointer values = new BytePointer(Math.max(1, packed.length));
             PointerPointer<?> params = new PointerPointer<>(Math.max(1, args.count()))) {
            values.put(packed, 0, packed.length);
            for (int i = 0; i < args.count(); i++) {
                params.put(i, new AddressPointer(values.address() + args.offset(i)));
            }
            Check.driver(cudart.cuLaunchKernel(handle, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, stream.handle(), params, null), "cuLaunchKernel(" + name + ")");
        }
    }

    /** The most threads per block this kernel can launch with (its registers and launch bounds decide). */
    public int maxThreadsPerBlock() {
        int[] v = new int[1];
        Check.driver(cudart.cuFuncGetAttribute(v, cudart.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, handle),
                "cuFuncGetAttribute(" + name + ")");
        return v[0];
    }

    @Override
    public String toString() {
        return "CudaFunction[" + name + "]";
    }
}
