package io.github.alpa4j.engine.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One rank's connection to the {@link StoreServer}. Connecting retries until its timeout (the
 * other ranks may start before rank 0 listens); every blocking operation carries its timeout to
 * the server, and the socket's read timeout is a little longer, so a server that vanishes cannot
 * hang the caller either.
 */
final class StoreClient implements AutoCloseable {
    /** How much longer than an operation's own timeout the client waits for the server's answer. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String where;
    private final int rank;

    private StoreClient(Socket socket, String where, int rank) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        this.where = where;
        this.rank = rank;
    }

    /**
     * Connects rank {@code rank} of {@code worldSize} to the store at host:port, retrying refused
     * connections until {@code timeout}.
     *
     * @throws RendezvousException when the host is unknown, nothing listens there in time, or
     *     the store refuses this rank (another world size, a rank taken twice)
     */
    static StoreClient connect(String host, int port, int rank, int worldSize, Duration timeout) {
        String where = host + ":" + port;
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        long backoff = 20;
        while (true) {
            Socket s = new Socket();
            try {
                InetSocketAddress addr = new InetSocketAddress(host, port);
                if (addr.isUnresolved()) {
                    throw new UnknownHostException(host);
                }
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                s.connect(addr, (int) Math.min(left, 5_000));
                s.setTcpNoDelay(true);
                StoreClient c = new StoreClient(s, where, rank);
                c.handshake(rank, worldSize, timeout);
                return c;
            } catch (UnknownHostException e) {
                closeQuietly(s);
                throw new RendezvousException("rank " + rank + " cannot resolve MASTER_ADDR '" + host + "'; give the host name or address of rank 0");
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
            } catch (RuntimeException e) {
                closeQuietly(s);
                throw e;
            }
            if (System.nanoTime() >= deadline) {
                throw new RendezvousException("rank " + rank + " of " + worldSize + " could not reach the rendezvous store at " + where
                        + " within " + Rendezvous.seconds(timeout) + " (" + last.getMessage()
                        + "); check MASTER_ADDR/MASTER_PORT and that rank 0 started", last);
            }
            sleep(Math.min(backoff, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            backoff = Math.min(backoff * 2, 500);
        }
    }

    private void handshake(int rank, int worldSize, Duration timeout) throws IOException {
        socket.setSoTimeout(timeoutMillis(timeout.plus(GRACE)));
        out.writeInt(StoreWire.MAGIC);
        out.writeInt(rank);
        out.writeInt(worldSize);
        out.flush();
        byte status = in.readByte();
        if (status == StoreWire.ERROR) {
            String problem = in.readUTF();
            close();
            throw new RendezvousException(problem);
        }
        if (status != StoreWire.OK) {
            close();
            throw new IOException("the service at " + where + " does not speak the alpa4j rendezvous protocol");
        }
    }

    void set(String key, byte[] value) {
        try {
            out.writeByte(StoreWire.SET);
            out.writeUTF(key);
            StoreWire.writeValue(out, value);
            out.flush();
            expect(StoreWire.OK);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** The value of {@code key}, waiting until some rank sets it; empty if none did within {@code timeout}. */
    Optional<byte[]> get(String key, Duration timeout) {
        try {
            socket.setSoTimeout(timeoutMillis(timeout.plus(GRACE)));
            out.writeByte(StoreWire.GET);
            out.writeUTF(key);
            out.writeLong(timeout.toMillis());
            out.flush();
            byte status = in.readByte();
            if (status == StoreWire.TIMEOUT) {
                return Optional.empty();
            }
            check(status, StoreWire.OK);
            return Optional.of(StoreWire.readValue(in));
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /** Waits at barrier {@code key} for every rank; the ranks that had not arrived when {@code timeout} ran out, else empty. */
    List<Integer> barrier(String key, Duration timeout) {
        try {
            socket.setSoTimeout(timeoutMillis(timeout.plus(GRACE)));
            out.writeByte(StoreWire.BARRIER);
            out.writeUTF(key);
            out.writeInt(rank);
            out.writeLong(timeout.toMillis());
            out.flush();
            byte status = in.readByte();
            if (status == StoreWire.OK) {
                return List.of();
            }
            check(status, StoreWire.TIMEOUT);
            int n = in.readInt();
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                missing.add(in.readInt());
            }
            return missing;
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private void expect(byte want) throws IOException {
        check(in.readByte(), want);
    }

    private void check(byte got, byte want) throws IOException {
        if (got != want) {
            throw new IOException("unexpected reply " + got + " from the store");
        }
    }

    private RendezvousException lost(IOException e) {
        String why = e instanceof EOFException ? "it closed the connection"
                : e instanceof SocketTimeoutException ? "it stopped answering" : e.getMessage();
        return new RendezvousException("rank " + rank + " lost the rendezvous store at " + where + " (" + why
                + "); rank 0 probably exited: see its output", e);
    }

    private static int timeoutMillis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do about a socket that will not close
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RendezvousException("interrupted while waiting for the rendezvous store");
        }
    }
}
