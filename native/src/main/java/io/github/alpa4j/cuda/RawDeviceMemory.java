package io.github.alpa4j.cuda;

/**
 * Allocation without caching, beneath {@link DevicePool}: cudaMalloc on a GPU; in tests, a fake
 * or a CPU emulation of device memory.
 */
public interface RawDeviceMemory {

    /** The address of {@code bytes} fresh bytes (256-byte aligned), or 0 when the device is out of memory. */
    long tryAllocate(long bytes);

    void free(long address);
}
