package io.github.alpa4j.cuda;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point to what this machine offers. {@link #probe()} never throws and is computed once
 * per process (a JNI library that failed to load stays failed); {@link #require} is what every
 * GPU-touching wrapper calls first, so a missing driver surfaces as one readable line.
 */
public final class Gpu {
    private Gpu() {
    }

    private static final class Holder {
        static final GpuReport REPORT = GpuProbe.run(LibrarySearch.system(), Path.of("/proc/driver/nvidia/version"));
    }

    /** The driver, devices and libraries present; never throws. */
    public static GpuReport probe() {
        return Holder.REPORT;
    }

    /**
     * The report, when a GPU is usable and each of {@code libs} loaded.
     *
     * @throws CudaUnavailableException otherwise, with one line saying what is missing and what to do
     */
    public static GpuReport require(CudaLibrary... libs) {
        GpuReport r = probe();
        if (!r.available()) {
            throw new CudaUnavailableException(r.unavailableReason());
        }
        List<String> missing = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        for (CudaLibrary lib : libs) {
            LibraryStatus s = r.library(lib);
            if (!s.loaded()) {
                missing.add(lib.label() + " (" + s.detail() + ")");
                fixes.addAll(s.fixes());
            }
        }
        if (!missing.isEmpty()) {
            throw new CudaUnavailableException("not loaded: " + String.join(", ", missing)
                    + (fixes.isEmpty() ? "" : "; " + String.join("; ", fixes)));
        }
        return r;
    }
}
