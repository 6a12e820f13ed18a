package io.github.alpa4j.cuda;

import org.bytedeco.cuda.global.nccl;

/** Reductions NCCL applies across ranks. */
public enum NcclReduceOp {
    SUM(nccl.ncclSum),
    AVG(nccl.ncclAvg),
    MAX(nccl.ncclMax),
    MIN(nccl.ncclMin);

    private final int code;

    NcclReduceOp(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }
}
