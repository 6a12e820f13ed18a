package io.github.alpa4j.cuda;

import java.util.Optional;

/**
 * A CUDA library call returned an error. The message names the call, the error, and the op the
 * call served (see {@link OpScope}), e.g. {@code cudaMalloc failed with cudaErrorMemoryAllocation
 * (out of memory) while serving op matmul#3}.
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;
    private final String codeName;
    private final String op;

    public CudaException(String call, int code, String codeName, String description, Optional<String> op) {
        super(message(call, code, codeName, description, op));
        this.call = call;
        this.code = code;
        this.codeName = codeName;
        this.op = op.orElse(null);
    }

    static String message(String call, int code, String codeName, String description, Optional<String> op) {
        String name = codeName == null || codeName.isBlank() ? "error " + code : codeName;
        String what = description == null || description.isBlank() || description.equals(codeName) ? "" : " (" + description + ")";
        String where = op.map(o -> " while serving op " + o).orElse(" outside any op");
        return call + " failed with " + name + what + where;
    }

    /** The library call that failed, e.g. {@code cuLaunchKernel(softmax_f32)}. */
    public String call() {
        return call;
    }

    /** The status code the library returned. */
    public int code() {
        return code;
    }

    /** The symbolic name of the status, e.g. {@code cudaErrorMemoryAllocation}. */
    public String codeName() {
        return codeName;
    }

    /** The op being served when the call failed. */
    public Optional<String> op() {
        return Optional.ofNullable(op);
    }
}
