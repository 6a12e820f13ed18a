package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.dist.JavaCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} under {@code alpa4j launch} on the CPU: ranks in separate JVMs, collectives over TCP,
 * the same losses as one process; a rank killed mid-run stops the others, named.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MultiProcessTrainTest {
    /** A small GPT, so that a few steps in four JVMs take seconds. */
    private static final List<String> MODEL = List.of("--hidden", "32", "--seq", "16", "--no-progress");

    @TempDir
    Path dir;

    @Test
    void twoRanksOnAOneByTwoMegatronMeshGiveTheSingleProcessLosses() throws IOException {
        assertSameLosses(2, List.of("--mesh", "1x2", "--plan", "megatron", "--steps", "3"));
    }

    @Test
    void fourRanksOnATwoByTwoMeshGiveTheSingleProcessLossesAndWriteEveryShard() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        List<Double> multi = assertSameLosses(4, List.of("--mesh", "2x2", "--plan", "megatron", "--steps", "2", "--checkpoint-dir",
                ckpt.toString()));
        Path step = ckpt.resolve("step-00000002");
        try (Stream<Path> files = Files.list(step)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("device-0.bin", "device-1.bin", "device-2.bin", "device-3.bin", "manifest.json", "plan.json");
        }
        // the shards the four ranks wrote resume in one process, on the same plan, to the uninterrupted losses
        Path json = dir.resolve("resumed.json");
        MainTest.Run r = MainTest.run(args(List.of("train", "--mesh", "2x2", "--plan", "megatron", "--steps", "3", "--resume",
                ckpt.toString(), "--json", json.toString()), false));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        Path whole = dir.resolve("whole.json");
        MainTest.Run w = MainTest.run(args(List.of("train", "--mesh", "2x2", "--plan", "megatron", "--steps", "3", "--json",
                whole.toString()), false));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(losses(json)).hasSize(3);
        assertThat(losses(json).subList(0, 2)).isEqualTo(multi);
        assertThat(losses(json).get(2)).isCloseTo(losses(whole).get(2), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void twoRanksShareATwoStagePipelineOfFourDevices() throws IOException {
        assertSameLosses(2, List.of("--mesh", "2x2", "--plan", "megatron:dp=1,tp=2,pp=2", "--steps", "2"));
    }

    @Test
    void ranksThatCannotShareTheDevicesEvenlyAreRefused() {
        MainTest.Run r = MainTest.run(args(List.of("launch", "--nproc-per-node", "3", "--master-port", "0", "--", "train", "--mesh",
                "1x2", "--plan", "megatron", "--steps", "1"), true));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("alpa4j: --mesh 1x2 has 2 devices, fewer than the 3 ranks: start at most 2 ranks (one per device)");
    }

    /** Runs {@code train} under launch with {@code ranks} workers and in one process; returns the launched run's losses. */
    private List<Double> assertSameLosses(int ranks, List<String> train) throws IOException {
        Path multi = dir.resolve("multi-" + ranks + ".json");
        List<String> launched = new ArrayList<>(List.of("launch", "--nproc-per-node", String.valueOf(ranks), "--master-port", "0", "--",
                "train"));
        launched.addAll(train);
        launched.addAll(List.of("--json", multi.toString()));
        MainTest.Run m = MainTest.run(args(launched, true));
        assertThat(m.code()).as(m.out() + m.err()).isZero();
        assertThat(m.out()).contains("[rank " + (ranks - 1) + "] rank " + (ranks - 1) + " of " + ranks + ": rendezvous at 127.0.0.1:");
        Path single = dir.resolve("single-" + ranks + ".json");
        List<String> one = new ArrayList<>(List.of("train"));
        one.addAll(train.stream().filter(a -> !a.startsWith(dir.toString())).toList());
        one.removeIf(a -> a.equals("--checkpoint-dir"));
        one.addAll(List.of("--json", single.toString()));
        MainTest.Run s = MainTest.run(args(one, false));
        assertThat(s.code()).as(s.err()).isZero();
        List<Double> a = losses(multi);
        List<Double> b = losses(single);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i)).as("step " + i).isCloseTo(b.get(i), org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(new ObjectMapper().readTree(multi.toFile()).path("config").path("ranks").asInt()).isEqualTo(ranks);
        return a;
    }

    @Test
    void killingOneRankStopsTheOtherNamingIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(0));
            port = s.getLocalPort();
        }
        // as srun or a second host would start them: no launcher watching both, only the links between them
        List<Process> procs = new ArrayList<>();
        List<StringBuilder> errs = new ArrayList<>();
        List<StringBuilder> outs = new ArrayList<>();
        CountDownLatch training = new CountDownLatch(2);
        try {
            for (int rank = 0; rank < 2; rank++) {
                List<String> cmd = JavaCommand.cli().with(List.of(args(List.of("train", "--mesh", "1x2", "--plan", "megatron", "--steps",
                        "100000", "--log-every", "1"), true)));
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().putAll(java.util.Map.of("RANK", String.valueOf(rank), "WORLD_SIZE", "2", "LOCAL_RANK", String.valueOf(rank),
                        "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port)));
                Process p = pb.start();
                procs.add(p);
                StringBuilder err = new StringBuilder();
                errs.add(err);
                StringBuilder out = new StringBuilder();
                outs.add(out);
                drain(p.getInputStream(), out, training);
                drain(p.getErrorStream(), err, null);
            }
            assertThat(training.await(120, TimeUnit.SECONDS)).as("both ranks train").isTrue();
            procs.get(1).destroyForcibly();
            // bounded by the rendezvous timeout (60 s): a dead peer's socket closes at once, nothing waits that long
            assertThat(procs.get(0).waitFor(60, TimeUnit.SECONDS)).as("rank 0 stops").isTrue();
            assertThat(procs.get(0).exitValue()).isNotZero();
            Thread.sleep(200);
            assertThat(errs.get(0).toString()).as(outs + "\n" + errs)
                    // a closed socket reads as the end of the stream, or as a reset when data was in flight
                    .containsPattern("alpa4j: rank 1( closed its connection without notice \\(it exited or was killed\\)"
                            + "|'s connection broke \\(.*\\): it exited, was killed or its host is unreachable)");
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
    }

    /** Copies a stream into {@code into}; counts {@code training} down at the first step line. */
    private static void drain(java.io.InputStream in, StringBuilder into, CountDownLatch training) {
        Thread t = new Thread(() -> {
            boolean counted = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (into) {
                        into.append(line).append('\n');
                    }
                    if (training != null && !counted && line.startsWith("step ")) {
                        counted = true;
                        training.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        // a thread each: a pipe nobody drains fills up and blocks its rank mid-run
        t.setDaemon(true);
        t.start();
    }

    /** {@code base} with the small model's flags, and under a launcher a rendezvous timeout. */
    private static String[] args(List<String> base, boolean launched) {
        List<String> all = new ArrayList<>(base);
        all.addAll(MODEL);
        if (launched) {
            all.addAll(List.of("--rendezvous-timeout", "60"));
        }
        return all.toArray(String[]::new);
    }

    private static List<Double> losses(Path json) throws IOException {
        List<Double> out = new ArrayList<>();
        for (JsonNode s : new ObjectMapper().readTree(json.toFile()).path("steps")) {
            out.add(s.path("loss").asDouble());
        }
        return out;
    }
}
