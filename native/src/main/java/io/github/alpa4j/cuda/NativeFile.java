package io.github.alpa4j.cuda;

/**
 * A shared library the JavaCPP CUDA bindings link against, with what provides it and how to
 * install that. The JNI wrappers themselves come from Maven; these come from the system.
 */
public enum NativeFile {
    LIBCUDA("libcuda.so.1", "the NVIDIA driver", Hints.DRIVER),
    LIBCUDART("libcudart.so.13", "the CUDA 13 runtime",
            "install the CUDA 13 runtime (NVIDIA's apt repository: sudo apt install cuda-cudart-13-0)"),
    LIBCUBLAS("libcublas.so.13", "cuBLAS for CUDA 13", Hints.CUBLAS),
    LIBCUBLASLT("libcublasLt.so.13", "cuBLASLt for CUDA 13", Hints.CUBLAS),
    LIBNVRTC("libnvrtc.so.13", "NVRTC for CUDA 13",
            "install NVRTC for CUDA 13 (sudo apt install cuda-nvrtc-13-0)"),
    LIBNCCL("libnccl.so.2", "NCCL 2",
            "install NCCL 2 built for CUDA 13 (sudo apt install libnccl2 from NVIDIA's apt repository)"),
    LIBNVML("libnvidia-ml.so.1", "the NVIDIA driver's NVML", Hints.DRIVER);

    private final String soname;
    private final String providedBy;
    private final String install;

    NativeFile(String soname, String providedBy, String install) {
        this.soname = soname;
        this.providedBy = providedBy;
        this.install = install;
    }

    /** The file name the dynamic loader looks for, e.g. {@code libcublas.so.13}. */
    public String soname() {
        return soname;
    }

    /** What installs this file, in words. */
    public String providedBy() {
        return providedBy;
    }

    /** What to do when the file is missing. */
    public String install() {
        return install;
    }

    /** The file with this soname, if it is one of ours. */
    static java.util.Optional<NativeFile> bySoname(String soname) {
        for (NativeFile f : values()) {
            if (f.soname.equals(soname)) {
                return java.util.Optional.of(f);
            }
        }
        return java.util.Optional.empty();
    }

    private static final class Hints {
        static final String DRIVER = "install the NVIDIA driver, 580 or newer for CUDA 13 (Ubuntu: sudo ubuntu-drivers install);"
                + " in a container, start it with --gpus all (NVIDIA Container Toolkit)";
        static final String CUBLAS = "install cuBLAS for CUDA 13 (sudo apt install libcublas-13-0)";
    }
}
