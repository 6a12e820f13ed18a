package io.github.alpa4j.cuda;

import java.util.Locale;

/** One CUDA device as the runtime reports it. */
public record GpuDevice(int ordinal, String name, int major, int minor, long totalMemoryBytes, int multiprocessors) {

    /** The NVRTC / nvcc architecture name, e.g. {@code sm_90}. */
    public String arch() {
        return "sm_" + major + minor;
    }

    /** e.g. {@code 9.0}. */
    public String computeCapability() {
        return major + "." + minor;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d: %s (compute %s, %s, %d SMs)", ordinal, name, computeCapability(),
                Bytes.human(totalMemoryBytes), multiprocessors);
    }
}
