package io.github.alpa4j.ir;

/** Element types of tensors. f32 is computed everywhere; bf16 and f16 are declared for GPU mixed precision. */
public enum DType {
    F32(4, true),
    BF16(2, true),
    F16(2, true),
    /** Token ids and class labels. */
    I32(4, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
