/** Every non-matmul kernel twice: CUDA C compiled by NVRTC, and a CPU twin on Java arrays (OpenBLAS for products). */
module io.github.alpa4j.kernels {
    requires transitive io.github.alpa4j.planner; // the IR's element-wise kinds are the kernels' own
    requires transitive io.github.alpa4j.cuda;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.openblas;

    exports io.github.alpa4j.kernels;
    exports io.github.alpa4j.kernels.cuda;
}
