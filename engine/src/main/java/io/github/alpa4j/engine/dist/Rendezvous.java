package io.github.alpa4j.engine.dist;

import io.github.alpa4j.cuda.NcclUniqueId;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The ranks of one job meeting through rank 0's key-value store: rank 0 serves it on
 * MASTER_PORT and joins it like every other rank; the others connect, retrying until the
 * timeout. The timeout bounds the whole rendezvous, from joining to leaving: connecting, barriers
 * and reads share it, and when one has used it up (a rank never came) the rest fail at once naming
 * the ranks that did not come, so a misconfigured job stops with a reason within its timeout.
 */
public final class Rendezvous implements AutoCloseable {
    /** The store key under which rank 0 publishes the NCCL unique id of the job's communicator. */
    public static final String NCCL_ID_KEY = "nccl-id";
    /** The longest timeout a rendezvous takes: a week (longer is surely a mistake, and would overflow the clock's nanoseconds). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    private static final byte VALUE = 0;
    private static final byte FAILURE = 1;

    private final LaunchEnv env;
    private final Duration timeout;
    private final long deadline;
    private final StoreServer server;
    private final StoreClient client;
    /** A step waited out the timeout (a rank never came): every later one fails at once. */
    private boolean exhausted;

    private Rendezvous(LaunchEnv env, Duration timeout, long deadline, StoreServer server, StoreClient client) {
        this.env = env;
        this.timeout = timeout;
        this.deadline = deadline;
        this.server = server;
        this.client = client;
    }

    /**
     * Joins the job: rank 0 starts the store (on an ephemeral port when the env's port is 0, see
     * {@link #port()}) and connects to it; the others connect to MASTER_ADDR:MASTER_PORT.
     * Returns once connected; call {@link #barrier} to wait for the others.
     *
     * @param timeout how long the whole rendezvous may wait for the other ranks, from now until it is closed
     * @throws RendezvousException when the store cannot be served or reached in time
     */
    public static Rendezvous join(LaunchEnv env, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("rendezvous timeout must be positive and at most " + MAX_TIMEOUT + ", got " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        if (env.rank() == 0) {
            StoreServer server = StoreServer.start(env.masterPort(), env.worldSize());
            try {
                StoreClient self = StoreClient.connect(InetAddress.getLoopbackAddress().getHostAddress(), server.port(), 0,
                        env.worldSize(), timeout);
                return new Rendezvous(env.withPort(server.port()), timeout, deadline, server, self);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
        if (env.masterPort() == 0) {
            throw new IllegalArgumentException("rank " + env.rank() + " needs rank 0's port, got 0");
        }
        return new Rendezvous(env, timeout, deadline, null,
                StoreClient.connect(env.masterAddr(), env.masterPort(), env.rank(), env.worldSize(), timeout));
    }

    public LaunchEnv env() {
        return env;
    }

    /** The store's port (rank 0's bound port when it asked for an ephemeral one). */
    public int port() {
        return env.masterPort();
    }

    /**
     * Waits until every rank has reached barrier {@code name}.
     *
     * @throws RendezvousException naming the ranks that did not arrive within the timeout
     */
    public void barrier(String name) {
        List<Integer> missing = client.barrier("barrier/" + name, remaining());
        if (!missing.isEmpty()) {
            exhausted = true;
            String who = missing.size() == 1 ? "rank " + missing.getFirst()
                    : "ranks " + missing.stream().map(String::valueOf).collect(Collectors.joining(", "));
            throw new RendezvousException(who + " of " + env.worldSize() + " did not reach barrier '" + name + "' within "
                    + seconds(timeout) + "; check MASTER_ADDR/MASTER_PORT and that every rank started");
        }
    }

    /** Publishes {@code value} under {@code key} for every rank. */
    public void set(String key, byte[] value) {
        client.set("kv/" + key, tagged(VALUE, value));
    }

    /**
     * The value some rank set under {@code key}, waiting for it.
     *
     * @throws RendezvousException when nobody set it within the timeout
     */
    public byte[] get(String key) {
        return untag(key, client.get("kv/" + key, remaining()).orElseThrow(() -> timedOut("rank " + env.rank()
                + " waited " + seconds(timeout) + " for '" + key + "', which no rank published; check that rank 0 started and "
                + "every rank runs the same command")));
    }

    /**
     * Rank 0 makes a value, every rank receives it, and all meet at a barrier of the same name so
     * that each knows the others have it. When rank 0 fails to make it, every rank fails with
     * rank 0's reason instead of waiting for a value that will not come.
     */
    public byte[] broadcastFromRank0(String key, Supplier<byte[]> make) {
        byte[] value;
        if (env.rank() == 0) {
            try {
                value = make.get();
            } catch (RuntimeException e) {
                client.set("kv/" + key, tagged(FAILURE, String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8)));
                throw e;
            }
            set(key, value);
        } else {
            value = get(key);
        }
        barrier(key);
        return value;
    }

    /** The NCCL unique id of the job's communicator: rank 0 creates it with {@code create}, all ranks return it. */
    public NcclUniqueId exchangeNcclId(Supplier<NcclUniqueId> create) {
        return new NcclUniqueId(broadcastFromRank0(NCCL_ID_KEY, () -> create.get().bytes()));
    }

    private static byte[] tagged(byte tag, byte[] value) {
        byte[] b = new byte[value.length + 1];
        b[0] = tag;
        System.arraycopy(value, 0, b, 1, value.length);
        return b;
    }

    private static byte[] untag(String key, byte[] stored) {
        byte[] value = Arrays.copyOfRange(stored, 1, stored.length);
        if (stored[0] == FAILURE) {
            throw new RendezvousException("rank 0 could not make '" + key + "': " + new String(value, StandardCharsets.UTF_8));
        }
        return value;
    }

    /** "30 s", "0.25 s": timeouts as error messages print them. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.3g s", ms / 1000.0).replaceAll("0+ s$", " s");
    }

    private RendezvousException timedOut(String message) {
        exhausted = true;
        return new RendezvousException(message);
    }

    /** What is left of the timeout: zero once a step has waited it out. */
    Duration remaining() {
        return exhausted ? Duration.ZERO : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * Leaves the job. Rank 0 keeps its store open until every other rank has hung up, so none loses
     * a reply it is still reading, but no longer than what is left of the timeout: after a rank
     * failed to come, nothing.
     */
    @Override
    public void close() {
        client.close();
        if (server != null) {
            server.awaitClientsGone(remaining());
            server.close();
        }
    }
}
