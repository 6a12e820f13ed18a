package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.cuda.GemmPrecision;
import io.github.alpa4j.engine.UserInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the CUDA backend runs matrix products; every other op stays float32. */
public enum MatmulPrecision {
    /** float32 operands and arithmetic: matches the CPU backend to rounding. */
    FP32(GemmPrecision.FP32),
    /** float32 operands rounded to TF32 by the tensor cores (10-bit mantissa), float32 accumulation. */
    TF32(GemmPrecision.TF32),
    /** Operands cast to bfloat16, float32 accumulation and result: mixed precision training. */
    BF16(GemmPrecision.BF16_INPUTS);

    private final GemmPrecision gemm;

    MatmulPrecision(GemmPrecision gemm) {
        this.gemm = gemm;
    }

    /** What cuBLAS is asked for. */
    public GemmPrecision gemm() {
        return gemm;
    }

    /** The flag's spelling: fp32, tf32, bf16. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code fp32}, {@code tf32} or {@code bf16}; anything else is a user error. */
    public static MatmulPrecision parse(String s) {
        for (MatmulPrecision p : values()) {
            if (p.code().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new UserInputException("unknown precision '" + s + "'; use one of "
                + Arrays.stream(values()).map(MatmulPrecision::code).collect(Collectors.joining(", ")));
    }
}
