package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.CudaStream;
import io.github.alpa4j.cuda.DeviceBuffer;

/** Host arrays to device buffers and back, for the tests: through a CUDA stream, or into the emulator's memory. */
interface DeviceTransfer {
    void upload(float[] src, DeviceBuffer dst);

    void upload(int[] src, DeviceBuffer dst);

    void upload(short[] src, DeviceBuffer dst);

    void download(DeviceBuffer src, float[] dst);

    void download(DeviceBuffer src, short[] dst);

    static DeviceTransfer of(CudaStream stream) {
        return new DeviceTransfer() {
            @Override
            public void upload(float[] src, DeviceBuffer dst) {
                stream.copyToDevice(src, dst);
            }

            @Override
            public void upload(int[] src, DeviceBuffer dst) {
                stream.copyToDevice(src, dst);
            }

            @Override
            public void upload(short[] src, DeviceBuffer dst) {
                stream.copyToDevice(src, dst);
            }

            @Override
            public void download(DeviceBuffer src, float[] dst) {
                stream.copyToHost(src, dst);
            }

            @Override
            public void download(DeviceBuffer src, short[] dst) {
                stream.copyToHost(src, dst);
            }
        };
    }
}
