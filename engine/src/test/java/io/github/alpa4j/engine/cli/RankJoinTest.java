package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.cuda.NcclUniqueId;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.dist.LaunchEnv;
import io.github.alpa4j.engine.dist.RankGpus;
import io.github.alpa4j.engine.dist.Rendezvous;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the ranks of a GPU job join, without a GPU: ranks as threads of this JVM on loopback, rank 0's
 * NCCL id made by a stand-in (any 128 bytes), each rank's GPUs chosen by {@link RankGpus} for a host
 * that shows a given number of GPUs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RankJoinTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A host of {@code visible} GPUs whose rank 0 makes {@code id}; counts the ids made. */
    private static RankJoin.Gpus gpus(LaunchEnv env, NcclUniqueId id, int visible, int[] listed, AtomicInteger made) {
        return new RankJoin.Gpus() {
            @Override
            public NcclUniqueId makeId() {
                made.incrementAndGet();
                return id;
            }

            @Override
            public int[] select(int per) {
                return RankGpus.select(env, per, listed, visible, false);
            }
        };
    }

    /** Every rank joins on its thread (rank 0 first, binding the port); results or failures in rank order. */
    private List<Future<RankJoin.Joined>> join(int world, int devices, int visible, int[] listed, NcclUniqueId id, AtomicInteger made)
            throws Exception {
        // rank 0's store must be up to learn its port: reserve one and give it to every rank
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Future<RankJoin.Joined>> out = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            LaunchEnv env = new LaunchEnv(r, world, r, "127.0.0.1", port, "test");
            out.add(pool.submit(() -> RankJoin.join(env, devices, "--mesh 1x" + devices, "{\"plan\":1}", TIMEOUT,
                    gpus(env, id, visible, listed, made))));
        }
        return out;
    }

    private static NcclUniqueId someId() {
        byte[] b = new byte[NcclUniqueId.BYTES];
        new Random(7).nextBytes(b);
        return new NcclUniqueId(b);
    }

    @Test
    void everyRankGetsRankZerosNcclIdAndTheGpusOfItsLocalRank() throws Exception {
        AtomicInteger made = new AtomicInteger();
        NcclUniqueId id = someId();
        List<Future<RankJoin.Joined>> ranks = join(2, 4, 4, null, id, made);
        List<RankJoin.Joined> joined = new ArrayList<>();
        try {
            for (Future<RankJoin.Joined> f : ranks) {
                joined.add(f.get(50, TimeUnit.SECONDS));
            }
            assertThat(made.get()).as("only rank 0 makes the id").isEqualTo(1);
            assertThat(joined).extracting(RankJoin.Joined::ncclId).containsOnly(id);
            assertThat(joined.get(0).gpus()).containsExactly(0, 1);
            assertThat(joined.get(1).gpus()).containsExactly(2, 3);
            assertThat(joined.get(1).links().firstDevice(1)).isEqualTo(2);
        } finally {
            joined.forEach(j -> j.links().close());
        }
    }

    @Test
    void aRankThatFailsIsReportedToTheOthersFailureListenersWhichAbortTheirNcclCommunicators() throws Exception {
        List<Future<RankJoin.Joined>> ranks = join(2, 2, 2, null, someId(), new AtomicInteger());
        RankJoin.Joined a = ranks.get(0).get(50, TimeUnit.SECONDS);
        RankJoin.Joined b = ranks.get(1).get(50, TimeUnit.SECONDS);
        try {
            java.util.concurrent.CompletableFuture<String> heard = new java.util.concurrent.CompletableFuture<>();
            b.links().onFailure(heard::complete);
            assertThat(heard).isNotDone();
            a.links().abort("CUDA error: an illegal memory access was encountered");
            assertThat(heard.get(20, TimeUnit.SECONDS)).isEqualTo("rank 0 failed: CUDA error: an illegal memory access was encountered");
            // a listener that comes late hears of it at once
            java.util.concurrent.CompletableFuture<String> late = new java.util.concurrent.CompletableFuture<>();
            b.links().onFailure(late::complete);
            assertThat(late).isCompletedWithValue("rank 0 failed: CUDA error: an illegal memory access was encountered");
        } finally {
            a.links().close();
            b.links().close();
        }
    }

    @Test
    void devicesPicksTheGpusOfEachLocalRank() throws Exception {
        List<Future<RankJoin.Joined>> ranks = join(2, 2, 8, new int[] {6, 3}, someId(), new AtomicInteger());
        RankJoin.Joined a = ranks.get(0).get(50, TimeUnit.SECONDS);
        RankJoin.Joined b = ranks.get(1).get(50, TimeUnit.SECONDS);
        try {
            assertThat(a.gpus()).containsExactly(6);
            assertThat(b.gpus()).containsExactly(3);
        } finally {
            a.links().close();
            b.links().close();
        }
    }

    @Test
    void aRankWithoutItsGpuStopsEveryRankNamingItBeforeNcclWaits() throws Exception {
        // two ranks of one device each on a host that shows one GPU: rank 1 has none
        List<Future<RankJoin.Joined>> ranks = join(2, 2, 1, null, someId(), new AtomicInteger());
        List<String> errors = new ArrayList<>();
        for (Future<RankJoin.Joined> f : ranks) {
            try {
                f.get(50, TimeUnit.SECONDS).links().close();
                errors.add("joined");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(UserInputException.class);
                errors.add(e.getCause().getMessage());
            }
        }
        String refusal = "rank 1 (local rank 1) drives 1 device and would take GPU 1, but this host shows 1 GPU: start at most 1 ranks"
                + " on this host (one per GPU), or name the GPUs with --devices";
        assertThat(errors).containsExactly("rank 1 cannot train: " + refusal, refusal);
    }

    @Test
    void whenRankZeroCannotMakeTheIdEveryRankSaysWhy() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Future<RankJoin.Joined>> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            LaunchEnv env = new LaunchEnv(r, 2, r, "127.0.0.1", port, "test");
            ranks.add(pool.submit(() -> RankJoin.join(env, 2, "--mesh 1x2", "{}", TIMEOUT, new RankJoin.Gpus() {
                @Override
                public NcclUniqueId makeId() {
                    throw new UserInputException("--backend cuda under a launcher needs NCCL on rank 0: libnccl.so.2 not found");
                }

                @Override
                public int[] select(int per) {
                    return new int[] {env.rank()};
                }
            })));
        }
        assertThat(messageOf(ranks.get(0))).isEqualTo("--backend cuda under a launcher needs NCCL on rank 0: libnccl.so.2 not found");
        assertThat(messageOf(ranks.get(1))).isEqualTo("rank 0 could not make '" + Rendezvous.NCCL_ID_KEY
                + "': --backend cuda under a launcher needs NCCL on rank 0: libnccl.so.2 not found");
    }

    private static String messageOf(Future<?> f) throws Exception {
        try {
            f.get(50, TimeUnit.SECONDS);
            return "no failure";
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }
}
