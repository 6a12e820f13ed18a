package io.github.alpa4j.cuda;

import java.util.Map;
import java.util.TreeMap;

/**
 * CUDA C source to compile at run time: a name (for logs and cache files), the code, and the
 * headers it {@code #include}s by name, given as text (NVRTC reads no files).
 */
public record KernelSource(String name, String code, Map<String, String> headers) {
    public KernelSource {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("kernel source names are [A-Za-z0-9_.-]+, not '" + name + "'");
        }
        headers = java.util.Collections.unmodifiableMap(new TreeMap<>(headers));
    }
}
