package io.github.alpa4j.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.cuda.global.nccl;

/**
 * One rank of an NCCL communicator, on one device. Every collective is queued on the given
 * stream and returns at once; counts are elements of the given type.
 */
public final class NcclComm implements AutoCloseable {
    private final CudaDevice device;
    private final ncclComm handle;
    private final int rank;
    private final int size;
    private boolean closed;

    private NcclComm(CudaDevice device, ncclComm handle) {
        this.device = device;
        this.handle = handle;
        int[] v = new int[1];
        Check.nccl(nccl.ncclCommUserRank(handle, v), "ncclCommUserRank", handle);
        this.rank = v[0];
        Check.nccl(nccl.ncclCommCount(handle, v), "ncclCommCount", handle);
        this.size = v[0];
    }

    /**
     * Joins rank {@code rank} of {@code nranks} to the communicator named by {@code id}. Blocks until
     * every rank has joined: ranks driven from one thread must join inside an {@link NcclGroup}.
     */
    public static NcclComm initRank(CudaDevice device, int nranks, NcclUniqueId id, int rank) {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NCCL);
        if (rank < 0 || rank >= nranks) {
            throw new IllegalArgumentException("rank " + rank + " is outside a communicator of " + nranks);
        }
        device.makeCurrent();
        ncclComm comm = new ncclComm();
        try (ncclUniqueId native_ = id.toNative()) {
            Check.nccl(nccl.ncclCommInitRank(comm, nranks, native_, rank), "ncclCommInitRank(rank " + rank + " of " + nranks + ")", null);
        }
        return new NcclComm(device, comm);
    }

    /** One communicator over {@code devices} driven by this process; rank i is devices[i]. */
    public static List<NcclComm> initAll(List<CudaDevice> devices) {
        Gpu.require(CudaLibrary.CUDART, CudaLibrary.NCCL);
        int n = devices.size();
        int[] ordinals = new int[n];
        for (int i = 0; i < n; i++) {
            ordinals[i] = devices.get(i).ordinal();
        }
        List<NcclComm> out = new ArrayList<>();
        try (PointerPointer<?> comms = new PointerPointer<>(n)) {
            Check.nccl(nccl.ncclCommInitAll(comms, n, ordinals), "ncclCommInitAll(" + n + " devices)", null);
            for (int i = 0; i < n; i++) {
                out.add(new NcclComm(devices.get(i), new ncclComm(comms.get(i))));
            }
        }
        return out;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    public CudaDevice device() {
        return device;
    }

    /** recv = op over ranks of send ({@code count} elements each; send may equal recv). */
    public void allReduce(DeviceBuffer send, DeviceBuffer recv, long count, NcclDataType type, NcclReduceOp op, CudaStream stream) {
        holds(send, count, type);
        holds(recv, count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclAllReduce(new AddressPointer(send.address()), new AddressPointer(recv.address()), count, type.code(),
                op.code(), handle, stream.handle()), "ncclAllReduce(" + count + " " + type + ")", handle);
    }

    /** recv = the {@code sendCount} elements of every rank, in rank order. */
    public void allGather(DeviceBuffer send, DeviceBuffer recv, long sendCount, NcclDataType type, CudaStream stream) {
        holds(send, sendCount, type);
        holds(recv, sendCount * size, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclAllGather(new AddressPointer(send.address()), new AddressPointer(recv.address()), sendCount, type.code(),
                handle, stream.handle()), "ncclAllGather(" + sendCount + " " + type + ")", handle);
    }

    /** recv = this rank's block of {@code recvCount} elements of op over ranks of send. */
    public void reduceScatter(DeviceBuffer send, DeviceBuffer recv, long recvCount, NcclDataType type, NcclReduceOp op,
                              CudaStream stream) {
        holds(send, recvCount * size, type);
        holds(recv, recvCount, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclReduceScatter(new AddressPointer(send.address()), new AddressPointer(recv.address()), recvCount,
                type.code(), op.code(), handle, stream.handle()), "ncclReduceScatter(" + recvCount + " " + type + ")", handle);
    }

    /** recv on every rank = send of {@code root}. */
    public void broadcast(DeviceBuffer send, DeviceBuffer recv, long count, NcclDataType type, int root, CudaStream stream) {
        holds(send, count, type);
        holds(recv, count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclBroadcast(new AddressPointer(send.address()), new AddressPointer(recv.address()), count, type.code(),
                root, handle, stream.handle()), "ncclBroadcast(" + count + " " + type + " from " + root + ")", handle);
    }

    /** Sends to {@code peer}, which must post the matching {@link #recv}; pair them in an {@link NcclGroup}. */
    public void send(DeviceBuffer buf, long count, NcclDataType type, int peer, CudaStream stream) {
        holds(buf, count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclSend(new AddressPointer(buf.address()), count, type.code(), peer, handle, stream.handle()),
                "ncclSend(" + count + " " + type + " to " + peer + ")", handle);
    }

    public void recv(DeviceBuffer buf, long count, NcclDataType type, int peer, CudaStream stream) {
        holds(buf, count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclRecv(new AddressPointer(buf.address()), count, type.code(), peer, handle, stream.handle()),
                "ncclRecv(" + count + " " + type + " from " + peer + ")", handle);
    }

    private static void holds(DeviceBuffer b, long count, NcclDataType type) {
        if (count < 0 || count * type.bytes() > b.bytes()) {
            throw new IllegalArgumentException(count + " " + type + " elements do not fit " + b);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            device.makeCurrent();
            Check.nccl(nccl.ncclCommDestroy(handle), "ncclCommDestroy", null);
        }
    }
}
