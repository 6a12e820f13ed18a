package io.github.alpa4j.engine.collective;

import io.github.alpa4j.cuda.DeviceBuffer;
import io.github.alpa4j.cuda.DevicePool;
import io.github.alpa4j.kernels.Kernels;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Collectives among logical devices that share one GPU, each with its own stream and memory pool
 * and one host thread. As in {@link CpuCollectives}, members meet at a host barrier to exchange
 * buffer handles, read what they need from the others' buffers, meet again, then write their own;
 * here reads and writes are device copies and reduction kernels queued on the member's own stream,
 * and events carry the two meetings over to the GPU. A member's copies wait for each source's
 * <em>ready</em> event (recorded after the work that produced the buffer); before it writes a
 * buffer the others read, and before it returns (its pool may hand a read buffer out again to work
 * on its stream), its stream waits for every other member's <em>done</em> event (recorded after that
 * member's reads). The host never waits for the GPU.
 *
 * <p>Sums are reduced in float64 over the members in rank order by one kernel, so every member gets
 * bit-identical values. Point-to-point sends are eager: the sender copies into a block of its own
 * pool and goes on; the receiver copies out after the sender's copy, and hands the block back.
 * Members must share one GPU: across GPUs use NCCL.
 */
public final class CudaCollectives implements Collectives<DeviceBuffer>, AutoCloseable {
    private static final long F32 = 4;

    /** What a collective uses of one device: its stream, its pool (for scratch), its kernels (for reductions). */
    public record Member(DeviceStream stream, DevicePool pool, Kernels<DeviceBuffer, DeviceBuffer> kernels) {
    }

    private final List<Member> members;
    private final long timeoutSeconds;
    private final Map<DeviceGroup, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<Long, Channel> channels = new ConcurrentHashMap<>();

    /** Collectives among {@code members}, member i being device i of the mesh. */
    public CudaCollectives(List<Member> members, long timeoutSeconds) {
        this.members = List.copyOf(members);
        this.timeoutSeconds = timeoutSeconds;
    }

    public CudaCollectives(List<Member> members) {
        this(members, 120);
    }

    private Member member(int device) {
        return members.get(device);
    }

    /** The meeting point of one group: its barrier, one buffer slot per member, and each member's two events. */
    private final class Exchange {
        final CyclicBarrier barrier;
        final DeviceBuffer[] in;
        final String[] op;
        final DeviceStream.Event[] ready;
        final DeviceStream.Event[] done;

        Exchange(DeviceGroup g) {
            int size = g.size();
            barrier = new CyclicBarrier(size);
            in = new DeviceBuffer[size];
            op = new String[size];
            ready = new DeviceStream.Event[size];
            done = new DeviceStream.Event[size];
            for (int r = 0; r < size; r++) {
                DeviceStream s = member(g.device(r)).stream();
                ready[r] = s.newEvent();
                done[r] = s.newEvent();
            }
        }

        void await(DeviceGroup g) {
            try {
                barrier.await(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a collective on " + g, e);
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("collective on " + g + " did not complete: a member failed or never arrived", e);
            }
        }

        /**
         * First meeting: publishes this member's buffer (ready once its queued work is done), waits
         * for every member, checks they all asked the same, and orders this stream after the others'
         * buffers are ready.
         */
        void meet(DeviceGroup g, int rank, String what, DeviceBuffer input, DeviceStream s) {
            s.record(ready[rank]);
            in[rank] = input;
            op[rank] = what;
            await(g);
            for (int r = 0; r < op.length; r++) {
                if (!what.equals(op[r])) {
                    throw new IllegalStateException("collective mismatch on " + g + ": rank " + rank + " runs " + what + ", rank " + r
                            + " runs " + op[r]);
                }
            }
            for (int r = 0; r < in.length; r++) {
                if (r != rank) {
                    s.waitFor(ready[r]);
                }
            }
        }

        /** Second meeting: this member's reads are queued; its stream then waits until every member's reads are done. */
        void release(DeviceGroup g, int rank, DeviceStream s) {
            s.record(done[rank]);
            await(g);
            for (int r = 0; r < done.length; r++) {
                if (r != rank) {
                    s.waitFor(done[r]);
                }
            }
        }
    }

    private Exchange exchange(DeviceGroup g) {
        return exchanges.computeIfAbsent(g, Exchange::new);
    }

    @Override
    public void allReduce(DeviceGroup g, int device, DeviceBuffer buf, long n, Reduction op) {
        if (n == 0) {
            return;
        }
        int rank = g.rankOf(device);
        Member me = member(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-reduce " + op + " " + n, buf, me.stream());
        try (DeviceBuffer all = me.pool().allocate(g.size() * n * F32)) {
            for (int r = 0; r < g.size(); r++) {
                me.stream().copy(x.in[r], 0, all, r * n * F32, n * F32);
            }
            x.release(g, rank, me.stream());
            reduce(me, op, all, g.size(), n, buf);
        }
    }

    @Override
    public void allGather(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
        if (n == 0) {
            return;
        }
        int rank = g.rankOf(device);
        Member me = member(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-gather " + n, in, me.stream());
        for (int r = 0; r < g.size(); r++) {
            me.stream().copy(x.in[r], 0, out, r * n * F32, n * F32);
        }
        x.release(g, rank, me.stream());
    }

    @Override
    public void reduceScatter(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
        if (n == 0) {
            return;
        }
        int rank = g.rankOf(device);
        Member me = member(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "reduce-scatter " + n, in, me.stream());
        try (DeviceBuffer mine = me.pool().allocate(g.size() * n * F32)) {
            for (int r = 0; r < g.size(); r++) {
                me.stream().copy(x.in[r], rank * n * F32, mine, r * n * F32, n * F32);
            }
            x.release(g, rank, me.stream());
            reduce(me, Reduction.SUM, mine, g.size(), n, out);
        }
    }

    @Override
    public void allToAll(DeviceGroup g, int device, DeviceBuffer in, long n, DeviceBuffer out) {
        if (n == 0) {
            return;
        }
        int rank = g.rankOf(device);
        Member me = member(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-to-all " + n, in, me.stream());
        for (int r = 0; r < g.size(); r++) {
            me.stream().copy(x.in[r], rank * n * F32, out, r * n * F32, n * F32);
        }
        x.release(g, rank, me.stream());
    }

    @Override
    public void broadcast(DeviceGroup g, int device, int root, DeviceBuffer buf, long n) {
        if (n == 0) {
            return;
        }
        int rank = g.rankOf(device);
        Member me = member(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "broadcast " + root + " " + n, buf, me.stream());
        if (rank != root) {
            me.stream().copy(x.in[root], 0, buf, 0, n * F32);
        }
        x.release(g, rank, me.stream());
    }

    /** out (n) = the sum or max over the {@code size} rows of {@code all} (size × n). */
    private static void reduce(Member me, Reduction op, DeviceBuffer all, int size, long n, DeviceBuffer out) {
        int cols = Math.toIntExact(n);
        Kernels<DeviceBuffer, DeviceBuffer> k = me.kernels();
        if (op == Reduction.SUM) {
            k.reduceSum(all, new int[] {size, cols}, new boolean[] {true, false}, 1f, out);
            return;
        }
        // max: transpose to n rows of one value per member, then a row maximum
        try (DeviceBuffer t = me.pool().allocate(size * n * F32)) {
            k.strided(all, 0, new long[] {1, n}, t, new int[] {cols, size});
            k.rowMax(t, out, n, size);
        }
    }

    /**
     * A message in flight: the sender's copy of what it sent (from its own pool), ready after the
     * sender's copy; done after the receiver's copy, when the sender may reuse the block.
     */
    private static final class Parcel {
        final DeviceStream.Event ready;
        final DeviceStream.Event done;
        DeviceBuffer staging;
        long n;

        Parcel(DeviceStream.Event ready, DeviceStream.Event done) {
            this.ready = ready;
            this.done = done;
        }
    }

    /**
     * A one-way channel between two devices: parcels in the order sent, parcels the receiver has
     * copied from (handed back), and parcels the sender may use again. Only the sender allocates and
     * frees the parcels' blocks, in its own pool, after its stream has waited for the receiver's copy.
     */
    private final class Channel {
        final LinkedBlockingQueue<Parcel> parcels = new LinkedBlockingQueue<>();
        final ConcurrentLinkedQueue<Parcel> returned = new ConcurrentLinkedQueue<>();
        final ArrayDeque<Parcel> spare = new ArrayDeque<>();
        final List<Parcel> all = new java.util.concurrent.CopyOnWriteArrayList<>();
        final int from;
        final int to;

        Channel(int from, int to) {
            this.from = from;
            this.to = to;
        }

        /** A parcel the sender may fill: one handed back (once its stream has waited for the receiver's copy), or a new one. */
        Parcel take(DeviceStream s) {
            for (Parcel p; (p = returned.poll()) != null; ) {
                s.waitFor(p.done);
                p.staging.close();
                p.staging = null;
                spare.push(p);
            }
            Parcel p = spare.poll();
            if (p == null) {
                p = new Parcel(s.newEvent(), member(to).stream().newEvent());
                all.add(p);
            }
            return p;
        }
    }

    private Channel channel(int from, int to) {
        return channels.computeIfAbsent(((long) from << 32) | to, k -> new Channel(from, to));
    }

    /**
     * Eager: copies {@code buf} into a block of the sender's pool on its stream and queues the parcel
     * without waiting for the receiver, so that stages sending to each other (1F1B sends activations
     * forward and gradients backward at once) never deadlock; {@code buf} is reusable on return.
     */
    @Override
    public void send(int from, int to, DeviceBuffer buf, long n) {
        Channel c = channel(from, to);
        Member me = member(from);
        DeviceStream s = me.stream();
        Parcel p = c.take(s);
        p.staging = me.pool().allocate(Math.max(1, n) * F32);
        p.n = n;
        s.copy(buf, 0, p.staging, 0, n * F32);
        s.record(p.ready);
        c.parcels.add(p);
    }

    @Override
    public void recv(int to, int from, DeviceBuffer buf, long n) {
        Channel c = channel(from, to);
        DeviceStream s = member(to).stream();
        Parcel p = take(c.parcels, "recv " + from + " -> " + to + " got nothing");
        if (p.n != n) {
            throw new IllegalStateException("send " + from + " -> " + to + " of " + p.n + " elements was received as " + n);
        }
        s.waitFor(p.ready);
        s.copy(p.staging, 0, buf, 0, n * F32);
        s.record(p.done);
        c.returned.add(p);
    }

    private <T> T take(BlockingQueue<T> q, String failure) {
        try {
            T item = q.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (item == null) {
                throw new IllegalStateException(failure);
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + failure, e);
        }
    }

    /** Destroys the events; call after the members' streams are idle. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Exchange x : exchanges.values()) {
            for (DeviceStream.Event e : concat(x.ready, x.done)) {
                first = closeInto(e, first);
            }
        }
        for (Channel c : channels.values()) {
            for (Parcel p : c.all) {
                if (p.staging != null) {
                    p.staging.close();
                }
                first = closeInto(p.ready, first);
                first = closeInto(p.done, first);
            }
        }
        exchanges.clear();
        channels.clear();
        if (first != null) {
            throw first;
        }
    }

    private static DeviceStream.Event[] concat(DeviceStream.Event[] a, DeviceStream.Event[] b) {
        DeviceStream.Event[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static RuntimeException closeInto(DeviceStream.Event e, RuntimeException first) {
        try {
            e.close();
            return first;
        } catch (RuntimeException ex) {
            return first == null ? ex : first;
        }
    }
}
