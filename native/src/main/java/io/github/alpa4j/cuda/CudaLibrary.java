package io.github.alpa4j.cuda;

import java.util.List;

/**
 * The CUDA libraries alpa4j uses through JavaCPP, each with the preset class that loads its JNI
 * wrapper and the system files that wrapper links against. Every preset inherits cudart, so
 * none loads without the driver's libcuda.so.1.
 */
public enum CudaLibrary {
    CUDART("cudart", "org.bytedeco.cuda.global.cudart", List.of(NativeFile.LIBCUDA, NativeFile.LIBCUDART)),
    CUBLAS("cublas", "org.bytedeco.cuda.global.cublas", List.of(NativeFile.LIBCUBLAS, NativeFile.LIBCUBLASLT)),
    NVRTC("nvrtc", "org.bytedeco.cuda.global.nvrtc", List.of(NativeFile.LIBNVRTC)),
    NCCL("nccl", "org.bytedeco.cuda.global.nccl", List.of(NativeFile.LIBNCCL)),
    NVML("nvml", "org.bytedeco.cuda.global.nvml", List.of(NativeFile.LIBNVML));

    private final String label;
    private final String presetClass;
    private final List<NativeFile> files;

    CudaLibrary(String label, String presetClass, List<NativeFile> files) {
        this.label = label;
        this.presetClass = presetClass;
        this.files = files;
    }

    /** Short name, as printed by {@code doctor}. */
    public String label() {
        return label;
    }

    /** The JavaCPP class whose loading loads the JNI wrapper. */
    String presetClass() {
        return presetClass;
    }

    /** The system files this library's JNI wrapper needs (besides cudart's, which all need). */
    public List<NativeFile> files() {
        return files;
    }
}
