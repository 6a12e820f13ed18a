package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.engine.runtime.Backend;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;

/**
 * One logical device of {@link HostDevices} as a {@link Backend}: device memory from its pool,
 * kernels queued on its stream (run late, by the CPU twins), uploads queued, downloads waiting for the
 * stream, as {@code CudaBackend} on a GPU. With {@link CudaCollectives} over the same devices, the
 * engine's runtimes run the CUDA backend's protocol where there is no GPU.
 */
final class EmulatedGpuBackend implements Backend<DeviceBuffer, DeviceBuffer> {
    private final HostDevices devices;
    private final int device;

    EmulatedGpuBackend(HostDevices devices, int device) {
        this.devices = devices;
        this.device = device;
    }

    @Override
    public String name() {
        return "emulated-gpu/" + device;
    }

    @Override
    public Kernels<DeviceBuffer, DeviceBuffer> kernels() {
        return devices.kernels(device);
    }

    @Override
    public Object allocate(TensorType t) {
        return devices.pool(device).allocate(Math.max(4, t.bytes()));
    }

    @Override
    public void free(Object buffer) {
        ((DeviceBuffer) buffer).close();
    }

    @Override
    public void upload(Tensor host, Object buffer) {
        devices.write(device, host.isInt() ? HostDevices.floats(host.ints()) : host.floats(), (DeviceBuffer) buffer);
    }

    @Override
    public Tensor download(Object buffer, TensorType t) {
        float[] v = devices.read(device, (DeviceBuffer) buffer, Math.toIntExact(t.size()));
        return t.dtype() == DType.I32 ? Tensor.ofInts(t, HostDevices.bits(v)) : Tensor.of(t, v);
    }

    @Override
    public void synchronize() {
        devices.synchronize(device);
    }

    @Override
    public void close() {
        synchronize();
    }
}
