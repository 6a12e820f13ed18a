package io.github.alpa4j.engine.collective;

import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Collectives among simulated devices (one thread each) sharing host memory. Members meet at a
 * barrier, each reads what it needs from the others' buffers (only the group's), meet again so no
 * buffer changes while being read, then write their own results. Sums run in rank order, so every
 * member gets bit-identical values, as a ring all-reduce gives.
 */
public final class CpuCollectives implements Collectives<float[]> {
    private final long timeoutSeconds;
    private final Map<DeviceGroup, Exchange> exchanges = new ConcurrentHashMap<>();
    private final Map<Long, BlockingQueue<float[]>> mailboxes = new ConcurrentHashMap<>();

    public CpuCollectives(long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public CpuCollectives() {
        this(120);
    }

    /** The meeting point of one group: its barrier and one slot per member. */
    private final class Exchange {
        final CyclicBarrier barrier;
        final float[][] in;
        final float[][] out;
        final String[] op;
        /** Each member's sums, kept between calls: a step's collectives allocate nothing. */
        final float[][] scratch;

        Exchange(int size) {
            barrier = new CyclicBarrier(size);
            in = new float[size][];
            out = new float[size][];
            op = new String[size];
            scratch = new float[size][];
        }

        /** Member {@code rank}'s scratch of at least {@code n} floats (contents undefined). */
        float[] scratch(int rank, long n) {
            if (scratch[rank] == null || scratch[rank].length < n) {
                scratch[rank] = new float[(int) n];
            }
            return scratch[rank];
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

        /** Publishes this member's buffers and waits for all; checks every member asked the same thing. */
        void meet(DeviceGroup g, int rank, String what, float[] input, float[] output) {
            in[rank] = input;
            out[rank] = output;
            op[rank] = what;
            await(g);
            for (int r = 0; r < op.length; r++) {
                if (!what.equals(op[r])) {
                    throw new IllegalStateException("collective mismatch on " + g + ": rank " + rank + " runs " + what + ", rank " + r + " runs " + op[r]);
                }
            }
        }
    }

    private Exchange exchange(DeviceGroup g) {
        return exchanges.computeIfAbsent(g, k -> new Exchange(k.size()));
    }

    @Override
    public void allReduce(DeviceGroup g, int device, float[] buf, long n, Reduction op) {
        int rank = g.rankOf(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-reduce " + op + " " + n, buf, null);
        float[] sum = x.scratch(rank, n);
        System.arraycopy(x.in[0], 0, sum, 0, (int) n);
        for (int r = 1; r < g.size(); r++) {
            float[] b = x.in[r];
            for (int i = 0; i < n; i++) {
                sum[i] = op == Reduction.SUM ? sum[i] + b[i] : Math.max(sum[i], b[i]);
            }
        }
        x.await(g); // every member has read every buffer: each may now overwrite its own
        System.arraycopy(sum, 0, buf, 0, (int) n);
    }

    @Override
    public void allGather(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int rank = g.rankOf(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-gather " + n, in, out);
        for (int r = 0; r < g.size(); r++) {
            System.arraycopy(x.in[r], 0, out, (int) (r * n), (int) n);
        }
        x.await(g);
    }

    @Override
    public void reduceScatter(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int rank = g.rankOf(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "reduce-scatter " + n, in, out);
        int off = (int) (rank * n);
        float[] sum = x.scratch(rank, n);
        java.util.Arrays.fill(sum, 0, (int) n, 0f);
        for (int r = 0; r < g.size(); r++) {
            float[] b = x.in[r];
            for (int i = 0; i < n; i++) {
                sum[i] += b[off + i];
            }
        }
        x.await(g);
        System.arraycopy(sum, 0, out, 0, (int) n);
    }

    @Override
    public void allToAll(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int rank = g.rankOf(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "all-to-all " + n, in, out);
        for (int r = 0; r < g.size(); r++) {
            System.arraycopy(x.in[r], (int) (rank * n), out, (int) (r * n), (int) n);
        }
        x.await(g);
    }

    @Override
    public void broadcast(DeviceGroup g, int device, int root, float[] buf, long n) {
        int rank = g.rankOf(device);
        Exchange x = exchange(g);
        x.meet(g, rank, "broadcast " + root + " " + n, buf, null);
        if (rank != root) {
            System.arraycopy(x.in[root], 0, buf, 0, (int) n);
        }
        x.await(g);
    }

    /** Messages from one device to another, in the order sent; sends never wait (as NCCL's eager sends of small messages). */
    private BlockingQueue<float[]> mailbox(int from, int to) {
        return mailboxes.computeIfAbsent(((long) from << 32) | to, k -> new LinkedBlockingQueue<>());
    }

    @Override
    public void send(int from, int to, float[] buf, long n) {
        mailbox(from, to).add(java.util.Arrays.copyOf(buf, (int) n));
    }

    @Override
    public void recv(int to, int from, float[] buf, long n) {
        try {
            float[] got = mailbox(from, to).poll(timeoutSeconds, TimeUnit.SECONDS);
            if (got == null) {
                throw new IllegalStateException("recv " + from + " -> " + to + " got nothing");
            }
            if (got.length != n) {
                throw new IllegalStateException("recv " + from + " -> " + to + " expected " + n + " elements, got " + got.length);
            }
            System.arraycopy(got, 0, buf, 0, (int) n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted receiving " + from + " -> " + to, e);
        }
    }
}
