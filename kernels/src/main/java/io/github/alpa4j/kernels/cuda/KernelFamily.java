package io.github.alpa4j.kernels.cuda;

import java.util.List;

/** The CUDA C sources, one per op family as in the IR, and the kernels each one defines. */
public enum KernelFamily {
    ELEMENTWISE("elementwise", List.of("fill_f32", "add_f32", "sub_f32", "mul_f32", "div_f32", "relu_f32", "relu_grad_f32",
            "gelu_f32", "gelu_grad_f32", "rsqrt_f32", "rsqrt_grad_f32", "scale_f32")),
    LAYOUT("layout", List.of("strided_copy_f32")),
    PATCH("patch", List.of("im2col_f32", "col2im_f32")),
    REDUCTION("reduction", List.of("reduce_sum_rows_f32", "reduce_sum_cols_f32")),
    SOFTMAX("softmax", List.of("softmax_f32", "softmax_grad_f32")),
    LAYERNORM("layernorm", List.of("layer_norm_f32", "layer_norm_grad_f32", "layer_norm_stats_f32", "layer_norm_gamma_grad_f32")),
    EMBEDDING("embedding", List.of("embedding_f32", "embedding_grad_f32")),
    LOSS("loss", List.of("cross_entropy_rows_f32", "sum_parts_f32", "cross_entropy_grad_f32", "mse_parts_f32", "row_max_f32",
            "row_sum_exp_f32", "pick_target_f32", "cross_entropy_stats_rows_f32", "cross_entropy_grad_stats_f32")),
    OPTIMIZER("optimizer", List.of("momentum_update_f32", "sgd_apply_f32", "adam_moment_f32", "adam_apply_f32", "step_increment_f32")),
    ROUTING("routing", List.of("top2_routing_f32")),
    CAST("cast", List.of("f32_to_bf16", "bf16_to_f32", "round_bf16_f32", "round_f16_f32", "flag_nonfinite_f32"));

    private final String baseName;
    private final List<String> kernels;

    KernelFamily(String baseName, List<String> kernels) {
        this.baseName = baseName;
        this.kernels = kernels;
    }

    /** e.g. {@code softmax}; the source is {@code softmax.cu}. */
    public String baseName() {
        return baseName;
    }

    public String fileName() {
        return baseName + ".cu";
    }

    /** The {@code extern "C"} entry points the source defines. */
    public List<String> kernels() {
        return kernels;
    }
}
