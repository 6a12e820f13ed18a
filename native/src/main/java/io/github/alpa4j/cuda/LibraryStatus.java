package io.github.alpa4j.cuda;

import java.util.List;

/**
 * Whether one CUDA library loaded. {@code detail} is its version when loaded, else what went
 * wrong; {@code fixes} say what to do, one line each.
 */
public record LibraryStatus(CudaLibrary library, boolean loaded, String detail, List<String> fixes) {
    public LibraryStatus {
        fixes = List.copyOf(fixes);
    }
}
