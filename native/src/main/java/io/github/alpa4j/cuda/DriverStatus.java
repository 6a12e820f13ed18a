package io.github.alpa4j.cuda;

import java.util.List;
import java.util.Optional;

/**
 * The NVIDIA driver as seen from here: whether libcuda.so.1 is on the loader path, the kernel
 * module's version (e.g. 580.65.06), the newest CUDA version the driver supports (e.g. 13.0).
 */
public record DriverStatus(boolean present, Optional<String> version, Optional<String> cudaVersion,
                           String detail, List<String> fixes) {
    public DriverStatus {
        fixes = List.copyOf(fixes);
    }
}
