package io.github.alpa4j.kernels.cuda;

import io.github.alpa4j.cuda.KernelSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The kernel sources on the class path, and the compiler options every build of them uses. */
public final class CudaSources {
    /** Resource folder of the .cu files and their header. */
    public static final String FOLDER = "io/github/alpa4j/kernels/cuda/";
    public static final String HEADER = "common.cuh";

    /**
     * Options NVRTC (and the nvcc check in the tests) compile with. No fused multiply-add, so
     * float expressions round as the CPU twin's do; IEEE division and square root (the defaults).
     */
    public static final List<String> OPTIONS = List.of("--std=c++17", "--fmad=false");

    private CudaSources() {
    }

    /** The family's source with the header it includes. */
    public static KernelSource source(KernelFamily family) {
        return new KernelSource(family.baseName(), read(family.fileName()), Map.of(HEADER, read(HEADER)));
    }

    static String read(String file) {
        String path = FOLDER + file;
        try (InputStream in = CudaSources.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source " + path, e);
        }
    }
}
