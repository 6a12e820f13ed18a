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

    /**
     * The communicators of this communicator's ranks that share {@code color}, ranked by {@code key}
     * ({@code ncclCommSplit}): how a mesh axis gets its own communicator. Every rank of this communicator
     * must call it (ranks that one thread drives, inside an {@link NcclGroup}).
     *
     * @param color the group this rank joins, non-negative; {@link #NO_COLOR} joins none (returns null)
     */
    public NcclComm split(int color, int key) {
        if (color < 0 && color != NO_COLOR) {
            throw new IllegalArgumentException("an NCCL split color is non-negative, got " + color);
        }
        device.makeCurrent();
        ncclComm child = new ncclComm();
        Check.nccl(nccl.ncclCommSplit(handle, color, key, child, null), "ncclCommSplit(color " + color + ", key " + key + ")", handle);
        return color == NO_COLOR ? null : new NcclComm(device, child);
    }

    /** The split color that joins no new communicator. */
    public static final int NO_COLOR = nccl.NCCL_SPLIT_NOCOLOR;

    /**
     * Stops this rank's communication at once and frees the communicator without waiting for its peers
     * ({@code ncclCommAbort}): what a rank does when another failed, so that none hangs in a collective
     * that will never complete. The communicator is closed afterwards.
     */
    public void abort() {
        if (!closed) {
            closed = true;
            device.makeCurrent();
            Check.nccl(nccl.ncclCommAbort(handle), "ncclCommAbort", null);
        }
    }

    /**
     * An error NCCL met in the background (a peer gone, a network failure), as its last-error text;
     * empty while the communicator is healthy. Collectives hang rather than fail on such errors, so a
     * watchdog polls this and aborts.
     */
    public java.util.Optional<String> asyncError() {
        int[] v = new int[1];
        Check.nccl(nccl.ncclCommGetAsyncError(handle, v), "ncclCommGetAsyncError", handle);
        if (v[0] == nccl.ncclSuccess || v[0] == nccl.ncclInProgress) {
            return java.util.Optional.empty();
        }
        String last = Check.string(nccl.ncclGetLastError(handle));
        String text = Check.string(nccl.ncclGetErrorString(v[0]));
        return java.util.Optional.of(last.isBlank() ? text : text + ": " + last);
    }

    /** The NCCL library's version, e.g. {@code 2.29.2}. */
    public static String version() {
        Gpu.require(CudaLibrary.NCCL);
        int[] v = new int[1];
        Check.nccl(nccl.ncclGetVersion(v), "ncclGetVersion", null);
        // NCCL_VERSION_CODE: major*10000 + minor*100 + patch since 2.9
        return v[0] / 10000 + "." + v[0] / 100 % 100 + "." + v[0] % 100;
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

    /** Sends {@code count} elements of {@code buf} starting at element {@code offset} (a chunk of an all-to-all). */
    public void send(DeviceBuffer buf, long offset, long count, NcclDataType type, int peer, CudaStream stream) {
        holds(buf, offset + count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclSend(new AddressPointer(buf.address(offset * type.bytes())), count, type.code(), peer, handle,
                stream.handle()), "ncclSend(" + count + " " + type + " to " + peer + ")", handle);
    }

    /** Receives {@code count} elements into {@code buf} from element {@code offset} on. */
    public void recv(DeviceBuffer buf, long offset, long count, NcclDataType type, int peer, CudaStream stream) {
        holds(buf, offset + count, type);
        device.makeCurrent();
        Check.nccl(nccl.ncclRecv(new AddressPointer(buf.address(offset * type.bytes())), count, type.code(), peer, handle,
                stream.handle()), "ncclRecv(" + count + " " + type + " from " + peer + ")", handle);
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
