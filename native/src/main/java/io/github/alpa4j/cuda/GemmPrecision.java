package io.github.alpa4j.cuda;

/** How cuBLAS multiplies: operand types and whether tensor cores may round the inputs. */
public enum GemmPrecision {
    /** fp32 operands and result, fp32 arithmetic (no tensor cores): the reference. */
    FP32(4),
    /** fp32 operands and result; tensor cores round the inputs to TF32 (10-bit mantissa). */
    TF32(4),
    /** bf16 A and B, fp32 C, fp32 accumulation: mixed precision training. */
    BF16_INPUTS(2);

    private final int operandBytes;

    GemmPrecision(int operandBytes) {
        this.operandBytes = operandBytes;
    }

    /** Bytes per element of A and B (C is always fp32). */
    public int operandBytes() {
        return operandBytes;
    }
}
