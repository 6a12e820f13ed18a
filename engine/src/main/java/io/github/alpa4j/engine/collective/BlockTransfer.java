package io.github.alpa4j.engine.collective;

import io.github.alpa4j.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Point-to-point transfers of tensor blocks between the devices of two pipeline stages, kept apart
 * from the schedule that orders them (as Megatron keeps p2p_communication apart from schedules):
 * {@link #cut} finds which block of a value each receiving device needs from which sending device
 * (cross-mesh resharding: each side lays the value out as its own plan says), and {@link #send} and
 * {@link #recv} move one such block, packed into a contiguous buffer on the sender and pasted into
 * place on the receiver.
 *
 * <p>Transfers travel on two sets of links, one per {@link Channel}: every stage runs forwards in
 * microbatch order and backwards in the order the schedule gives all stages alike, and sender and
 * receiver walk the same list of pieces, so the messages between two devices arrive in the order
 * they are expected.
 */
public final class BlockTransfer<F> {
    /** The links a piece travels on: activations forward, gradients backward. */
    public enum Channel { FORWARD, BACKWARD }

    /**
     * How one side holds a value: each device's block (its local dimensions and strides), and where
     * the block of each of its devices starts in global coordinates.
     */
    public record Layout(int[] localDims, long[] localStrides, List<int[]> blockStarts) {
        public Layout {
            localDims = localDims.clone();
            localStrides = localStrides.clone();
            blockStarts = List.copyOf(blockStarts);
        }

        int devices() {
            return blockStarts.size();
        }
    }

    /**
     * One block of a value that one device sends another, for every microbatch.
     *
     * @param from        sending device, numbered over all stages
     * @param to          receiving device, likewise
     * @param size        the block's extent per dimension
     * @param sendOffset  where the block starts in the sender's shard (elements)
     * @param sendStrides the sender's shard strides
     * @param recvOffset  where it starts in the receiver's shard
     * @param recvStrides the receiver's shard strides
     * @param whole       the block is the receiver's whole shard (received in place, no staging)
     * @param elementBytes bytes of one element of the value's type (2 for bf16 and f16: what moving it costs, though
     *                    the backends hold such values in float32 storage)
     */
    public record Piece(Channel channel, int from, int to, int[] size, long sendOffset, long[] sendStrides, long recvOffset,
                        long[] recvStrides, boolean whole, int elementBytes) {
        public long elements() {
            long n = 1;
            for (int s : size) {
                n *= s;
            }
            return n;
        }

        /** Bytes moved, as the value's type counts them. */
        public long bytes() {
            return elementBytes * elements();
        }

        /** Bytes a side stages in a contiguous buffer: the sender always, the receiver unless it receives in place. */
        public long stagedBytes(boolean sender) {
            return sender || !whole ? bytes() : 0;
        }
    }

    private final Collectives<F> forward;
    private final Collectives<F> backward;
    private final Kernels<F, ?> k;
    private final ShardCollectives.Allocator<F> alloc;

    public BlockTransfer(Collectives<F> forward, Collectives<F> backward, Kernels<F, ?> kernels, ShardCollectives.Allocator<F> alloc) {
        this.forward = forward;
        this.backward = backward;
        this.k = kernels;
        this.alloc = alloc;
    }

    /**
     * The pieces that move a value from the devices {@code firstSender..} holding it as {@code send}
     * to the devices {@code firstReceiver..} holding it as {@code recv}: for every receiving device,
     * the overlap of its block with each distinct sending block, taken from one of the replicas that
     * hold it (spread over the receivers).
     */
    public static List<Piece> cut(Channel channel, Layout send, int firstSender, Layout recv, int firstReceiver, int elementBytes) {
        int rank = send.localDims().length;
        // sending devices grouped by the block they hold (replicas hold the same block)
        Map<List<Integer>, List<Integer>> holders = new LinkedHashMap<>();
        for (int d = 0; d < send.devices(); d++) {
            holders.computeIfAbsent(Arrays.stream(send.blockStarts().get(d)).boxed().toList(), x -> new ArrayList<>()).add(d);
        }
        List<Piece> pieces = new ArrayList<>();
        for (int r = 0; r < recv.devices(); r++) {
            int[] rs = recv.blockStarts().get(r);
            for (Map.Entry<List<Integer>, List<Integer>> h : holders.entrySet()) {
                int[] ss = h.getKey().stream().mapToInt(Integer::intValue).toArray();
                int[] start = new int[rank];
                int[] size = new int[rank];
                boolean empty = false;
                for (int i = 0; i < rank; i++) {
                    start[i] = Math.max(ss[i], rs[i]);
                    size[i] = Math.min(ss[i] + send.localDims()[i], rs[i] + recv.localDims()[i]) - start[i];
                    empty |= size[i] <= 0;
                }
                if (empty) {
                    continue;
                }
                int sender = h.getValue().get(r % h.getValue().size());
                pieces.add(new Piece(channel, firstSender + sender, firstReceiver + r, size,
                        offset(start, ss, send.localStrides()), send.localStrides(),
                        offset(start, rs, recv.localStrides()), recv.localStrides(), Arrays.equals(size, recv.localDims()), elementBytes));
            }
        }
        return pieces;
    }

    /** Elements from a shard's first element (at global coordinates {@code origin}) to global coordinates {@code at}. */
    private static long offset(int[] at, int[] origin, long[] strides) {
        long off = 0;
        for (int i = 0; i < at.length; i++) {
            off += (at[i] - origin[i]) * strides[i];
        }
        return off;
    }

    /** Packs the piece out of the sender's shard {@code src} and sends it; {@code src} is reusable on return. */
    public void send(Piece p, F src) {
        long n = p.elements();
        F staged = alloc.allocate(n);
        if (p.size().length == 0) {
            k.copy(src, 0, staged, 0, 1);
        } else {
            k.strided(src, p.sendOffset(), p.sendStrides(), staged, p.size());
        }
        links(p).send(p.from(), p.to(), staged, n);
        alloc.free(staged);
    }

    /** Receives the piece into its place in the receiver's shard {@code dst}. */
    public void recv(Piece p, F dst) {
        long n = p.elements();
        if (p.whole()) {
            links(p).recv(p.to(), p.from(), dst, n);
            return;
        }
        F staged = alloc.allocate(n);
        links(p).recv(p.to(), p.from(), staged, n);
        paste(p, staged, dst);
        alloc.free(staged);
    }

    /** Copies a contiguous block into its place, row by row (its last dimension is contiguous in both). */
    private void paste(Piece p, F staged, F dst) {
        int rank = p.size().length;
        int inner = p.size()[rank - 1];
        int[] idx = new int[rank];
        long rows = p.elements() / inner;
        for (long row = 0; row < rows; row++) {
            long off = p.recvOffset();
            for (int i = 0; i < rank - 1; i++) {
                off += idx[i] * p.recvStrides()[i];
            }
            k.copy(staged, row * inner, dst, off, inner);
            for (int i = rank - 2; i >= 0; i--) {
                if (++idx[i] < p.size()[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
    }

    private Collectives<F> links(Piece p) {
        return p.channel() == Channel.FORWARD ? forward : backward;
    }
}
