/** Typed, checked wrappers over the JavaCPP CUDA 13 presets: devices, streams, memory, cuBLAS, NCCL, NVML, NVRTC. */
module io.github.alpa4j.cuda {
    requires org.bytedeco.javacpp;
    requires org.bytedeco.cuda;

    exports io.github.alpa4j.cuda;
}
