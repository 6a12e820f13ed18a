package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.DeviceBuffer;

/** Logical devices sharing one GPU, as the collective tests drive them: emulated on the host, or real. */
interface CollectiveDevices extends AutoCloseable {
    int count();

    CudaCollectives.Member member(int d);

    /** Queues writing {@code values} into {@code buf} on device d's stream, after the work queued there. */
    void write(int d, float[] values, DeviceBuffer buf);

    /** Waits for device d's stream, then reads the first n floats of {@code buf}. */
    float[] read(int d, DeviceBuffer buf, int n);

    @Override
    void close();
}
