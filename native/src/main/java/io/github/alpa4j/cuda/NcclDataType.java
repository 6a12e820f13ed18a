package io.github.alpa4j.cuda;

import org.bytedeco.cuda.global.nccl;

/** Element types NCCL moves for us. */
public enum NcclDataType {
    FLOAT32(nccl.ncclFloat32, 4),
    BFLOAT16(nccl.ncclBfloat16, 2),
    INT32(nccl.ncclInt32, 4);

    private final int code;
    private final int bytes;

    NcclDataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    int code() {
        return code;
    }

    public int bytes() {
        return bytes;
    }
}
