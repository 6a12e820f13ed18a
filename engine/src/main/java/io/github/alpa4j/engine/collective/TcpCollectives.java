package io.github.alpa4j.engine.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Collectives among CPU devices driven by several processes, over a {@link TcpTransport}: each member
 * sends every other member what it needs of its buffer and combines what it receives in rank order,
 * so every member gets bit-identical values, and the same values as {@link CpuCollectives} gives the
 * same devices in one process. Devices the same process drives exchange through its own mailboxes.
 *
 * <p>One instance serves one set of links: a mesh's collectives, one pipeline stage's (its devices
 * numbered within the stage, {@code firstDevice} the stage's first device of the whole plan), or the
 * forward or backward transfers between stages. Each set has its own channel, so the messages of one
 * never queue behind another's.
 */
public final class TcpCollectives implements Collectives<float[]> {
    private final TcpTransport transport;
    private final int channel;
    private final int firstDevice;

    /**
     * @param channel     this set of links' channel, distinct among the sets of one job (0 to 65534)
     * @param firstDevice the plan device that this set's device 0 is
     */
    public TcpCollectives(TcpTransport transport, int channel, int firstDevice) {
        if (channel < 0 || channel >= 0xFFFF) {
            throw new IllegalArgumentException("channel " + channel + " is outside 0..65534");
        }
        this.transport = transport;
        this.channel = channel;
        this.firstDevice = firstDevice;
    }

    private void post(int from, int to, String op, float[] buf, int offset, int n) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(op.hashCode());
        b.asFloatBuffer().put(buf, offset, n);
        int src = firstDevice + from;
        int dst = firstDevice + to;
        transport.send(transport.rankOf(dst), TcpTransport.key(channel, src, dst), b.array());
    }

    private float[] take(int from, int to, String op, int n) {
        int src = firstDevice + from;
        int dst = firstDevice + to;
        ByteBuffer b = ByteBuffer.wrap(transport.recv(transport.rankOf(src), TcpTransport.key(channel, src, dst)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int tag = b.getInt();
        if (tag != op.hashCode() || b.remaining() != 4 * n) {
            throw new IllegalStateException("collective mismatch: device " + dst + " runs " + op + " but device " + src
                    + " sent " + b.remaining() / 4 + " elements of another collective");
        }
        float[] out = new float[n];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Sends member {@code me}'s piece to every other member ({@code piece} gives the offset for member r). */
    private void postToOthers(DeviceGroup g, int me, String op, float[] buf, java.util.function.IntUnaryOperator piece, int n) {
        for (int r = 0; r < g.size(); r++) {
            if (r != me) {
                post(g.device(me), g.device(r), op, buf, piece.applyAsInt(r), n);
            }
        }
    }

    @Override
    public void allReduce(DeviceGroup g, int device, float[] buf, long n, Reduction op) {
        int me = g.rankOf(device);
        int len = (int) n;
        String what = "all-reduce " + op + " " + n + " on " + g;
        postToOthers(g, me, what, buf, r -> 0, len);
        float[] sum = null;
        for (int r = 0; r < g.size(); r++) {
            float[] b = r == me ? buf : take(g.device(r), device, what, len);
            if (sum == null) {
                sum = java.util.Arrays.copyOf(b, len);
                continue;
            }
            for (int i = 0; i < len; i++) {
                sum[i] = op == Reduction.SUM ? sum[i] + b[i] : Math.max(sum[i], b[i]);
            }
        }
        System.arraycopy(sum, 0, buf, 0, len);
    }

    @Override
    public void allGather(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int me = g.rankOf(device);
        int len = (int) n;
        String what = "all-gather " + n + " on " + g;
        postToOthers(g, me, what, in, r -> 0, len);
        float[] mine = java.util.Arrays.copyOf(in, len); // in and out may share storage
        for (int r = 0; r < g.size(); r++) {
            float[] b = r == me ? mine : take(g.device(r), device, what, len);
            System.arraycopy(b, 0, out, r * len, len);
        }
    }

    @Override
    public void reduceScatter(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int me = g.rankOf(device);
        int len = (int) n;
        String what = "reduce-scatter " + n + " on " + g;
        postToOthers(g, me, what, in, r -> r * len, len);
        float[] sum = new float[len];
        for (int r = 0; r < g.size(); r++) {
            float[] b = r == me ? java.util.Arrays.copyOfRange(in, me * len, me * len + len) : take(g.device(r), device, what, len);
            for (int i = 0; i < len; i++) {
                sum[i] += b[i];
            }
        }
        System.arraycopy(sum, 0, out, 0, len);
    }

    @Override
    public void allToAll(DeviceGroup g, int device, float[] in, long n, float[] out) {
        int me = g.rankOf(device);
        int len = (int) n;
        String what = "all-to-all " + n + " on " + g;
        postToOthers(g, me, what, in, r -> r * len, len);
        float[] mine = java.util.Arrays.copyOfRange(in, me * len, me * len + len);
        for (int r = 0; r < g.size(); r++) {
            float[] b = r == me ? mine : take(g.device(r), device, what, len);
            System.arraycopy(b, 0, out, r * len, len);
        }
    }

    @Override
    public void broadcast(DeviceGroup g, int device, int root, float[] buf, long n) {
        int me = g.rankOf(device);
        int len = (int) n;
        String what = "broadcast " + root + " " + n + " on " + g;
        if (me == root) {
            postToOthers(g, me, what, buf, r -> 0, len);
        } else {
            System.arraycopy(take(g.device(root), device, what, len), 0, buf, 0, len);
        }
    }

    @Override
    public void send(int from, int to, float[] buf, long n) {
        post(from, to, "send " + n, buf, 0, (int) n);
    }

    @Override
    public void recv(int to, int from, float[] buf, long n) {
        System.arraycopy(take(from, to, "send " + n, (int) n), 0, buf, 0, (int) n);
    }
}
