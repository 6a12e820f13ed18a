package io.github.alpa4j.cuda;

/** Allocation without caching, beneath {@link DevicePool}: cudaMalloc on a GPU, a fake in tests. */
interface RawDeviceMemory {

    /** The address of {@code bytes} fresh bytes, or 0 when the device is out of memory. */
    long tryAllocate(long bytes);

    void free(long address);
}
