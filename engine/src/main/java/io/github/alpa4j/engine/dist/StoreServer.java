package io.github.alpa4j.engine.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The key-value store rank 0 serves for the rendezvous (as torch's TCPStore): values set once
 * and read by every rank, and named barriers over the world. A daemon thread accepts, one daemon
 * thread serves each connection; blocking reads and barriers wait on the server with the
 * caller's timeout, so a missing rank turns into a reply naming it, never a hang.
 */
final class StoreServer implements AutoCloseable {
    private final ServerSocket socket;
    private final int worldSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, byte[]> values = new HashMap<>();
    private final Map<String, Set<Integer>> arrivals = new HashMap<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Integer> joined = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private StoreServer(ServerSocket socket, int worldSize) {
        this.socket = socket;
        this.worldSize = worldSize;
    }

    /**
     * Listens on every interface at {@code port} (0: an ephemeral port, see {@link #port()}).
     *
     * @throws RendezvousException when the port is taken or not ours to bind
     */
    static StoreServer start(int port, int worldSize) {
        ServerSocket ss;
        try {
            ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port), 64);
        } catch (IOException e) {
            throw new RendezvousException("rank 0 cannot listen on MASTER_PORT " + port + " (" + e.getMessage()
                    + "); choose a free port with --master-port or MASTER_PORT", e);
        }
        StoreServer s = new StoreServer(ss, worldSize);
        Thread t = new Thread(s::acceptLoop, "rendezvous-store:" + ss.getLocalPort());
        t.setDaemon(true);
        t.start();
        return s;
    }

    int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = socket.accept();
                c.setTcpNoDelay(true);
                connections.add(c);
                Thread t = new Thread(() -> serve(c), "rendezvous-store-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    // transient accept failure (e.g. too many files): keep serving the others
                    sleepQuietly(10);
                }
            }
        }
    }

    private void serve(Socket c) {
        try (c; DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream()));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(c.getOutputStream()))) {
            if (!handshake(in, out)) {
                return;
            }
            while (true) {
                byte op;
                try {
                    op = in.readByte();
                } catch (java.io.EOFException e) {
                    return;
                }
                String key = in.readUTF();
                switch (op) {
                    case StoreWire.SET -> {
                        set(key, StoreWire.readValue(in));
                        out.writeByte(StoreWire.OK);
                    }
                    case StoreWire.GET -> {
                        byte[] v = get(key, in.readLong());
                        if (v == null) {
                            out.writeByte(StoreWire.TIMEOUT);
                        } else {
                            out.writeByte(StoreWire.OK);
                            StoreWire.writeValue(out, v);
                        }
                    }
                    case StoreWire.BARRIER -> {
                        int rank = in.readInt();
                        List<Integer> missing = barrier(key, rank, in.readLong());
                        if (missing.isEmpty()) {
                            out.writeByte(StoreWire.OK);
                        } else {
                            out.writeByte(StoreWire.TIMEOUT);
                            out.writeInt(missing.size());
                            for (int r : missing) {
                                out.writeInt(r);
                            }
                        }
                    }
                    default -> {
                        return; // not our protocol: drop the connection
                    }
                }
                out.flush();
            }
        } catch (SocketException e) {
            // the peer went away; its rank reports its own failure
        } catch (IOException | InterruptedException e) {
            // a broken peer must not take the store down for the others
        } finally {
            connections.remove(c);
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean handshake(DataInputStream in, DataOutputStream out) throws IOException {
        if (in.readInt() != StoreWire.MAGIC) {
            return false;
        }
        int rank = in.readInt();
        int world = in.readInt();
        String problem = null;
        if (world != worldSize) {
            problem = "rank " + rank + " was started with a world of " + world + " ranks but rank 0 with " + worldSize
                    + "; start every rank with the same WORLD_SIZE";
        } else if (rank < 0 || rank >= worldSize) {
            problem = "rank " + rank + " is outside the world of " + worldSize + " ranks; check RANK";
        } else if (!joined.add(rank)) {
            problem = "two processes joined the rendezvous as rank " + rank + "; check RANK (or --node-rank) on every host";
        }
        if (problem != null) {
            out.writeByte(StoreWire.ERROR);
            out.writeUTF(problem);
            out.flush();
            return false;
        }
        out.writeByte(StoreWire.OK);
        out.flush();
        return true;
    }

    private void set(String key, byte[] value) {
        lock.lock();
        try {
            values.put(key, value);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private byte[] get(String key, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (!values.containsKey(key)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return null;
                }
                changed.awaitNanos(left);
            }
            return values.get(key);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until all ranks reached barrier {@code key}; the ranks still missing when time ran out, else empty. */
    private List<Integer> barrier(String key, int rank, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            Set<Integer> arrived = arrivals.computeIfAbsent(key, k -> new TreeSet<>());
            arrived.add(rank);
            changed.signalAll();
            while (arrived.size() < worldSize) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < worldSize; r++) {
                        if (!arrived.contains(r)) {
                            missing.add(r);
                        }
                    }
                    return missing;
                }
                changed.awaitNanos(left);
            }
            return List.of();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every rank has joined and hung up again (so rank 0 neither closes the store under a
     * rank still reading its last reply, nor before a slow rank has come to read a value or a failure
     * rank 0 left for it), at most {@code timeout}.
     */
    void awaitClientsGone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!connections.isEmpty() || joined.size() < worldSize) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing a listening socket has nothing left to report
        }
        for (Socket c : connections) {
            try {
                c.close();
            } catch (IOException e) {
                // as above
            }
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
