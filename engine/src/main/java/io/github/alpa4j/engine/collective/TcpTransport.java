package io.github.alpa4j.engine.collective;

import io.github.alpa4j.engine.dist.Rendezvous;
import io.github.alpa4j.engine.dist.RendezvousException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test transport between the processes of a job on the CPU, as PyTorch's gloo serves its CPU tests:
 * one TCP connection between every two ranks, set up through the rendezvous (each rank publishes the
 * address it listens on; the higher rank of a pair connects), and messages between devices or ranks
 * over it, each addressed by a key and delivered in order per key. Sends are eager: a reader thread
 * per peer drains its socket into mailboxes, so a send never waits for the receiver to post its
 * receive. Not a product path on GPUs: there NCCL moves the bytes.
 *
 * <p>Failures stop every rank instead of hanging it: a rank whose step fails sends every peer an abort
 * with its reason; a peer that closes its connection without saying goodbye (it exited or was killed)
 * is reported as such; and a receive that waits longer than the timeout names the rank it waited for.
 * After the first failure every receive fails at once with that failure's message.
 */
public final class TcpTransport implements RankGroup, AutoCloseable {
    private static final byte DATA = 0;
    private static final byte ABORT = 1;
    private static final byte BYE = 2;
    /** The channel of {@link #allGather}: keys there name ranks, not devices. */
    private static final int HOST_CHANNEL = 0xFFFF;
    private static final long POLL_MILLIS = 50;

    private final int rank;
    private final int size;
    private final int devices;
    private final Duration timeout;
    private final Socket[] peers;
    private final DataOutputStream[] outs;
    private final Map<Long, BlockingQueue<byte[]>> mailboxes = new ConcurrentHashMap<>();
    private final List<Thread> readers = new ArrayList<>();
    private volatile String failure;
    private volatile boolean closing;

    private TcpTransport(int rank, int size, int devices, Duration timeout, Socket[] peers) throws IOException {
        this.rank = rank;
        this.size = size;
        this.devices = devices;
        this.timeout = timeout;
        this.peers = peers;
        this.outs = new DataOutputStream[size];
        for (int r = 0; r < size; r++) {
            if (peers[r] != null) {
                outs[r] = new DataOutputStream(new BufferedOutputStream(peers[r].getOutputStream(), 1 << 16));
            }
        }
    }

    /**
     * Connects this rank to every other through the rendezvous {@code rv} (which stays usable for other
     * keys); returns when every link of this rank is up.
     *
     * @param devices the plan's devices, split among the ranks as {@link RankGroup} says
     * @param timeout how long a receive waits for a peer before it names it as hanging
     * @throws RendezvousException when a peer cannot be reached within what is left of the rendezvous
     */
    public static TcpTransport connect(Rendezvous rv, int devices, Duration timeout) {
        int rank = rv.env().rank();
        int size = rv.env().worldSize();
        Socket[] peers = new Socket[size];
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(0), size);
            String host = advertisedHost(rv.env().masterAddr());
            rv.set("tcp/" + rank, (host + ":" + server.getLocalPort()).getBytes(StandardCharsets.UTF_8));
            // the higher rank of each pair connects: connects complete in the listener's backlog, so
            // connecting to every lower rank before accepting every higher one cannot deadlock
            for (int r = 0; r < rank; r++) {
                String addr = new String(rv.get("tcp/" + r), StandardCharsets.UTF_8);
                int colon = addr.lastIndexOf(':');
                Socket s = new Socket();
                s.connect(new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1))),
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
                s.setTcpNoDelay(true);
                new DataOutputStream(s.getOutputStream()).writeInt(rank);
                peers[r] = s;
            }
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
            for (int n = rank + 1; n < size; n++) {
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = rank + 1; r < size; r++) {
                        if (peers[r] == null) {
                            missing.add(r);
                        }
                    }
                    throw new RendezvousException("rank " + rank + ": ranks " + missing + " did not connect within " + timeout.toSeconds()
                            + " s; check that every rank can reach the others' hosts");
                }
                s.setTcpNoDelay(true);
                int peer = new DataInputStream(s.getInputStream()).readInt();
                if (peer <= rank || peer >= size || peers[peer] != null) {
                    s.close();
                    throw new RendezvousException("rank " + rank + ": a connection announced itself as rank " + peer
                            + ", which is not a higher rank still expected (is another job using the same ports?)");
                }
                peers[peer] = s;
            }
            TcpTransport t = new TcpTransport(rank, size, devices, timeout, peers);
            t.startReaders();
            return t;
        } catch (IOException e) {
            closeAll(peers);
            throw new RendezvousException("rank " + rank + ": cannot connect to the other ranks: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(peers);
            throw e;
        }
    }

    /** The address of this host as the other ranks reach it: the one the route to the rendezvous host leaves from. */
    private static String advertisedHost(String masterAddr) throws IOException {
        String override = System.getenv("ALPA4J_HOST_ADDR");
        if (override != null && !override.isBlank()) {
            return override.strip();
        }
        InetAddress master = InetAddress.getByName(masterAddr);
        if (master.isLoopbackAddress()) {
            return master.getHostAddress();
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(master, 9); // no packet is sent: connecting a UDP socket only picks the route
            return probe.getLocalAddress().getHostAddress();
        }
    }

    private void startReaders() {
        for (int r = 0; r < size; r++) {
            if (peers[r] == null) {
                continue;
            }
            int peer = r;
            Thread t = new Thread(() -> read(peer), "alpa4j-tcp-from-rank-" + peer);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
    }

    /** Drains one peer's socket into the mailboxes until it says goodbye, aborts, or goes away. */
    private void read(int peer) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(peers[peer].getInputStream(), 1 << 16))) {
            while (true) {
                byte type = in.readByte();
                long key = in.readLong();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                switch (type) {
                    case DATA -> mailbox(key).add(payload);
                    case ABORT -> {
                        fail("rank " + peer + " failed: " + new String(payload, StandardCharsets.UTF_8));
                        return;
                    }
                    case BYE -> {
                        return;
                    }
                    default -> {
                        fail("rank " + peer + " sent a message of unknown type " + type + " (another program on its port?)");
                        return;
                    }
                }
            }
        } catch (EOFException e) {
            if (!closing) {
                fail("rank " + peer + " closed its connection without notice (it exited or was killed)");
            }
        } catch (IOException e) {
            if (!closing) {
                fail("rank " + peer + "'s connection broke (" + e.getMessage() + "): it exited, was killed or its host is unreachable");
            }
        }
    }

    private void fail(String reason) {
        synchronized (this) {
            if (failure == null) {
                failure = reason;
            }
        }
    }

    /** The first failure this rank saw or was told of, or null. */
    public String failure() {
        return failure;
    }

    private BlockingQueue<byte[]> mailbox(long key) {
        return mailboxes.computeIfAbsent(key, k -> new LinkedBlockingQueue<>());
    }

    static long key(int channel, int from, int to) {
        return ((long) channel << 48) | ((long) (from & 0xFFFFFF) << 24) | (to & 0xFFFFFF);
    }

    /** Sends {@code payload} under {@code key} to {@code toRank} (to this rank: into its own mailbox); returns at once. */
    void send(int toRank, long key, byte[] payload) {
        if (failure != null) {
            throw new CollectiveFailedException(failure);
        }
        if (toRank == rank) {
            mailbox(key).add(payload);
            return;
        }
        DataOutputStream out = outs[toRank];
        synchronized (out) {
            try {
                out.writeByte(DATA);
                out.writeLong(key);
                out.writeInt(payload.length);
                out.write(payload);
                out.flush();
            } catch (IOException e) {
                fail("rank " + toRank + "'s connection broke (" + e.getMessage() + "): it exited, was killed or its host is unreachable");
                throw new CollectiveFailedException(failure);
            }
        }
    }

    /**
     * The next message under {@code key}, sent by {@code fromRank}.
     *
     * @throws CollectiveFailedException when a rank failed, or none came within the timeout
     */
    byte[] recv(int fromRank, long key) {
        BlockingQueue<byte[]> box = mailbox(key);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                byte[] got = box.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (got != null) {
                    return got;
                }
                if (failure != null) {
                    throw new CollectiveFailedException(failure);
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("rank " + fromRank + " sent nothing for " + timeout.toSeconds() + " s (it hangs, or waits for another rank)");
                    throw new CollectiveFailedException(failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveFailedException("interrupted while waiting for rank " + fromRank);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int devices() {
        return devices;
    }

    @Override
    public List<byte[]> allGather(byte[] mine) {
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                send(r, key(HOST_CHANNEL, rank, r), mine);
            }
        }
        List<byte[]> all = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            all.add(r == rank ? mine.clone() : recv(r, key(HOST_CHANNEL, r, rank)));
        }
        return all;
    }

    @Override
    public void abort(String reason) {
        fail("this rank failed: " + reason);
        sendAll(ABORT, reason.getBytes(StandardCharsets.UTF_8));
    }

    private void sendAll(byte type, byte[] payload) {
        for (int r = 0; r < size; r++) {
            if (outs[r] == null) {
                continue;
            }
            synchronized (outs[r]) {
                try {
                    outs[r].writeByte(type);
                    outs[r].writeLong(0);
                    outs[r].writeInt(payload.length);
                    outs[r].write(payload);
                    outs[r].flush();
                } catch (IOException e) {
                    // that peer is gone already; the others still hear us
                }
            }
        }
    }

    /** Says goodbye to every peer (unless this rank aborted) and closes the links. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (failure == null) {
            sendAll(BYE, new byte[0]);
        }
        for (Socket s : peers) {
            if (s != null) {
                try {
                    s.shutdownOutput();
                } catch (IOException e) {
                    // closed below either way
                }
            }
        }
        for (Thread t : readers) {
            try {
                t.join(Math.min(timeout.toMillis(), 5000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeAll(peers);
    }

    private static void closeAll(Socket[] sockets) {
        for (Socket s : sockets) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // nothing more to do with a socket we are dropping
                }
            }
        }
    }
}
