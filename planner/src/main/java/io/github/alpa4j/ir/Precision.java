package io.github.alpa4j.ir;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A training step's arithmetic, as mixed precision does it (Micikevicius et al., 2018): master weights,
 * gradients' accumulation and optimizer states stay f32; matrix products and activations, forward and
 * backward, are in {@link #compute()}; the casts between them are graph nodes. fp16's narrow range needs
 * dynamic loss scaling; bf16 has f32's exponent and needs none.
 */
public enum Precision {
    FP32(DType.F32),
    BF16(DType.BF16),
    FP16(DType.F16);

    private final DType compute;

    Precision(DType compute) {
        this.compute = compute;
    }

    /** The type matmuls and activations are computed and held in. */
    public DType compute() {
        return compute;
    }

    /** Whether a step needs dynamic loss scaling (fp16: small gradients underflow without it). */
    public boolean lossScaling() {
        return this == FP16;
    }

    /** The flag's spelling: fp32, bf16, fp16. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code fp32}, {@code bf16} or {@code fp16}; null for anything else. */
    public static Precision byCode(String s) {
        for (Precision p : values()) {
            if (p.code().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        return null;
    }

    /** The codes, comma-separated, for error messages. */
    public static String codes() {
        return Arrays.stream(values()).map(Precision::code).collect(Collectors.joining(", "));
    }
}
