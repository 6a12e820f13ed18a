package io.github.alpa4j.engine.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.cuda.NcclUniqueId;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ranks as threads of this JVM on loopback, rank 0's store on an ephemeral port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RendezvousTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    static LaunchEnv env(int rank, int world, int port) {
        return new LaunchEnv(rank, world, rank, "127.0.0.1", port, "test");
    }

    /** Rank 0 joins first (binding the port), then every rank runs {@code body} on its own thread; results in rank order. */
    private <T> List<T> runRanks(int world, Duration timeout, Function<Rendezvous, T> body) throws Exception {
        Rendezvous rank0 = Rendezvous.join(env(0, world, 0), timeout);
        int port = rank0.port();
        assertThat(port).isPositive();
        List<Future<T>> futures = new ArrayList<>();
        futures.add(pool.submit(() -> {
            try (rank0) {
                return body.apply(rank0);
            }
        }));
        for (int r = 1; r < world; r++) {
            int rank = r;
            futures.add(pool.submit(() -> {
                try (Rendezvous rv = Rendezvous.join(env(rank, world, port), timeout)) {
                    return body.apply(rv);
                }
            }));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : futures) {
            out.add(f.get(50, TimeUnit.SECONDS));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void everyRankReceivesRankZerosNcclId(int world) throws Exception {
        byte[] b = new byte[NcclUniqueId.BYTES];
        new Random(world).nextBytes(b);
        NcclUniqueId made = new NcclUniqueId(b);
        List<NcclUniqueId> got = runRanks(world, LONG, rv -> {
            rv.barrier("start");
            return rv.exchangeNcclId(() -> {
                assertThat(rv.env().rank()).as("only rank 0 makes the id").isZero();
                return made;
            });
        });
        assertThat(got).hasSize(world).containsOnly(made);
    }

    @Test
    void valuesSetByAnyRankReachEveryRank() throws Exception {
        List<String> got = runRanks(3, LONG, rv -> {
            rv.set("host/" + rv.env().rank(), ("h" + rv.env().rank()).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (int r = 0; r < 3; r++) {
                sb.append(new String(rv.get("host/" + r), StandardCharsets.UTF_8));
            }
            rv.barrier("read");
            return sb.toString();
        });
        assertThat(got).containsExactly("h0h1h2", "h0h1h2", "h0h1h2");
    }

    @Test
    void aBarrierHoldsEveryRankUntilTheLastArrives() throws Exception {
        // rank 2 arrives late; no rank may leave the barrier before the moment rank 2 entered it
        java.util.concurrent.atomic.AtomicLong lastEntered = new java.util.concurrent.atomic.AtomicLong();
        List<Long> left = runRanks(3, LONG, rv -> {
            if (rv.env().rank() == 2) {
                sleep(300);
                lastEntered.set(System.nanoTime());
            }
            rv.barrier("after-late");
            return System.nanoTime();
        });
        assertThat(lastEntered.get()).isPositive();
        assertThat(left).allSatisfy(t -> assertThat(t).isGreaterThan(lastEntered.get()));
    }

    @Test
    void aRankThatNeverComesFailsTheBarrierFastNamingIt() {
        long t0 = System.nanoTime();
        try (Rendezvous rank0 = Rendezvous.join(env(0, 2, 0), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> rank0.barrier("nccl-id"))
                    .isInstanceOf(RendezvousException.class)
                    .hasMessage("rank 1 of 2 did not reach barrier 'nccl-id' within 0.3 s; check MASTER_ADDR/MASTER_PORT and that every rank started");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aRankThatNeverComesUsesUpTheWholeTimeoutSoLeavingWaitsNoMore() {
        try (Rendezvous rank0 = Rendezvous.join(env(0, 2, 0), Duration.ofMillis(300))) {
            assertThat(rank0.remaining()).isPositive();
            assertThatThrownBy(() -> rank0.barrier("start")).isInstanceOf(RendezvousException.class);
            // the timeout bounds the whole rendezvous: what the barrier waited is gone for every later step and for close()
            assertThat(rank0.remaining()).isZero();
            assertThatThrownBy(() -> rank0.get("nccl-id")).isInstanceOf(RendezvousException.class)
                    .hasMessageContaining("which no rank published");
        }
    }

    @Test
    void twoMissingRanksAreBothNamed() {
        try (Rendezvous rank0 = Rendezvous.join(env(0, 4, 0), Duration.ofMillis(200));
             Rendezvous rank2 = Rendezvous.join(env(2, 4, rank0.port()), Duration.ofMillis(200))) {
            Future<?> other = pool.submit(() -> rank2.barrier("x"));
            assertThatThrownBy(() -> rank0.barrier("x")).hasMessageStartingWith("ranks 1, 3 of 4 did not reach barrier 'x'");
            assertThatThrownBy(other::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RendezvousException.class);
        }
    }

    @Test
    void aValueNobodySetsTimesOut() {
        try (Rendezvous rank0 = Rendezvous.join(env(0, 2, 0), Duration.ofMillis(200))) {
            assertThatThrownBy(() -> rank0.get("nothing")).isInstanceOf(RendezvousException.class)
                    .hasMessageContaining("waited 0.2 s for 'nothing'");
        }
    }

    @Test
    void withoutRankZeroTheOthersGiveUpAtTheirTimeout() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        int p = port;
        assertThatThrownBy(() -> Rendezvous.join(env(1, 2, p), Duration.ofMillis(400)))
                .isInstanceOf(RendezvousException.class)
                .hasMessageStartingWith("rank 1 of 2 could not reach the rendezvous store at 127.0.0.1:" + p + " within 0.4 s")
                .hasMessageContaining("check MASTER_ADDR/MASTER_PORT and that rank 0 started");
    }

    @Test
    void aRankThatStartsBeforeRankZeroStillJoins() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int p = port;
        Future<NcclUniqueId> early = pool.submit(() -> {
            try (Rendezvous rv = Rendezvous.join(env(1, 2, p), LONG)) {
                return rv.exchangeNcclId(() -> {
                    throw new AssertionError("rank 1 must not make the id");
                });
            }
        });
        sleep(300); // rank 1 is retrying its connection by now
        NcclUniqueId id = new NcclUniqueId(new byte[NcclUniqueId.BYTES]);
        try (Rendezvous rank0 = Rendezvous.join(env(0, 2, p), LONG)) {
            assertThat(rank0.exchangeNcclId(() -> id)).isEqualTo(id);
        }
        assertThat(early.get(30, TimeUnit.SECONDS)).isEqualTo(id);
    }

    @Test
    void whenRankZeroCannotMakeTheIdEveryRankSaysWhy() throws Exception {
        List<String> errors = runRanks(2, LONG, rv -> {
            try {
                rv.exchangeNcclId(() -> {
                    throw new IllegalStateException("no NCCL here");
                });
                return "no error";
            } catch (RuntimeException e) {
                return e.getMessage();
            }
        });
        assertThat(errors.get(0)).isEqualTo("no NCCL here");
        assertThat(errors.get(1)).isEqualTo("rank 0 could not make 'nccl-id': no NCCL here");
    }

    @Test
    void ranksOfAnotherWorldSizeOrTakenTwiceAreRefused() {
        try (Rendezvous rank0 = Rendezvous.join(env(0, 2, 0), LONG);
             Rendezvous rank1 = Rendezvous.join(env(1, 2, rank0.port()), LONG)) {
            assertThatThrownBy(() -> Rendezvous.join(new LaunchEnv(1, 3, 0, "127.0.0.1", rank0.port(), "test"), LONG))
                    .hasMessage("rank 1 was started with a world of 3 ranks but rank 0 with 2; start every rank with the same WORLD_SIZE");
            assertThatThrownBy(() -> Rendezvous.join(env(1, 2, rank0.port()), LONG))
                    .hasMessageStartingWith("two processes joined the rendezvous as rank 1");
            assertThat(rank1.env().rank()).isEqualTo(1);
        }
    }

    @Test
    void aTakenPortIsReportedByRankZero() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            assertThatThrownBy(() -> Rendezvous.join(env(0, 2, s.getLocalPort()), LONG))
                    .isInstanceOf(RendezvousException.class)
                    .hasMessageStartingWith("rank 0 cannot listen on MASTER_PORT " + s.getLocalPort());
        }
    }

    @Test
    void secondsAreWrittenShort() {
        assertThat(Rendezvous.seconds(Duration.ofSeconds(30))).isEqualTo("30 s");
        assertThat(Rendezvous.seconds(Duration.ofMillis(250))).isEqualTo("0.25 s");
        assertThat(Rendezvous.seconds(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
