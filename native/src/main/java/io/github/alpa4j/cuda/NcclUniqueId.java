package io.github.alpa4j.cuda;

import java.util.Arrays;
import java.util.Base64;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.cuda.global.nccl;

/**
 * The 128 bytes rank 0 creates and every rank passes to {@link NcclComm#initRank}; travels
 * between processes as Base64 (through the launcher's rendezvous).
 */
public record NcclUniqueId(byte[] bytes) {
    public static final int BYTES = 128;

    public NcclUniqueId {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an NCCL unique id has " + BYTES + " bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /** A fresh id (rank 0 calls this once per communicator). */
    public static NcclUniqueId create() {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NCCL);
        try (ncclUniqueId id = new ncclUniqueId()) {
            Check.nccl(nccl.ncclGetUniqueId(id), "ncclGetUniqueId", null);
            byte[] b = new byte[BYTES];
            id.internal().get(b, 0, BYTES);
            return new NcclUniqueId(b);
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static NcclUniqueId fromBase64(String text) {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a Base64 NCCL unique id: " + e.getMessage(), e);
        }
        return new NcclUniqueId(b);
    }

    /** A native copy (the caller closes it). */
    ncclUniqueId toNative() {
        ncclUniqueId id = new ncclUniqueId();
        id.internal().put(bytes, 0, BYTES);
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NcclUniqueId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "NcclUniqueId[" + toBase64().substring(0, 12) + "...]";
    }
}
