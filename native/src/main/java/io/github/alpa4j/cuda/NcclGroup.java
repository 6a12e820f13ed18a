package io.github.alpa4j.cuda;

import org.bytedeco.cuda.global.nccl;

/**
 * Brackets NCCL calls that must be issued together (sends with receives, one call per device
 * when a thread drives several): {@code try (NcclGroup g = NcclGroup.start()) { ... }}.
 */
public final class NcclGroup implements AutoCloseable {
    private boolean closed;

    private NcclGroup() {
    }

    public static NcclGroup start() {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NCCL);
        Check.nccl(nccl.ncclGroupStart(), "ncclGroupStart", null);
        return new NcclGroup();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Check.nccl(nccl.ncclGroupEnd(), "ncclGroupEnd", null);
        }
    }
}
