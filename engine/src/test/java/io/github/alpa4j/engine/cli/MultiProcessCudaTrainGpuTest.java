package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.engine.dist.JavaCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --backend cuda} under {@code alpa4j launch}, one process per GPU over NCCL: the losses
 * of one process driving the same GPUs (NCCL in one process, {@code --devices}) within fp32 tolerance,
 * rank 0 the only writer of the metrics, and a rank killed mid-run stopping the other, named. Needs
 * two GPUs and NCCL; skips with the reason elsewhere.
 */
@Tag("gpu")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MultiProcessCudaTrainGpuTest {
    private static final List<String> MODEL = List.of("--backend", "cuda", "--hidden", "64", "--seq", "16", "--no-progress");
    private static final double FP32_TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @BeforeAll
    static void twoGpus() {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : List.of(CudaLibrary.CUBLAS, CudaLibrary.NVRTC, CudaLibrary.NCCL)) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
        // NCCL refuses two ranks of one communicator on the same GPU
        Assumptions.assumeTrue(r.devices().size() >= 2, () -> "needs at least 2 GPUs (one per rank), this machine has "
                + r.devices().size());
    }

    @Test
    void twoRanksOnAOneByTwoMegatronMeshGiveTheLossesOfOneProcessOnTheSameGpus() throws IOException {
        assertSameLosses(List.of("--mesh", "1x2", "--plan", "megatron", "--steps", "5"), "0,1");
    }

    @Test
    void twoRanksDriveATwoStagePipelineWithSendsOverNccl() throws IOException {
        assertSameLosses(List.of("--mesh", "1x2", "--plan", "megatron:dp=1,tp=1,pp=2", "--steps", "3"), "0,1");
    }

    private void assertSameLosses(List<String> train, String gpus) throws IOException {
        Path multi = dir.resolve("multi.json");
        List<String> launched = new ArrayList<>(List.of("launch", "--nproc-per-node", "2", "--master-port", "0", "--", "train"));
        launched.addAll(train);
        launched.addAll(MODEL);
        launched.addAll(List.of("--rendezvous-timeout", "120", "--json", multi.toString()));
        MainTest.Run m = MainTest.run(launched.toArray(String[]::new));
        assertThat(m.code()).as(m.out() + m.err()).isZero();
        assertThat(m.out()).contains("[rank 1] rank 1 of 2: rendezvous at 127.0.0.1:").contains("on GPU 1, collectives over NCCL");
        Path single = dir.resolve("single.json");
        List<String> one = new ArrayList<>(List.of("train"));
        one.addAll(train);
        one.addAll(MODEL);
        one.addAll(List.of("--devices", gpus, "--json", single.toString()));
        MainTest.Run s = MainTest.run(one.toArray(String[]::new));
        assertThat(s.code()).as(s.out() + s.err()).isZero();
        List<Double> a = losses(multi);
        List<Double> b = losses(single);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Math.abs(a.get(i) - b.get(i)) / Math.abs(b.get(i))).as("step " + i + ": " + a + " vs " + b)
                    .isLessThanOrEqualTo(FP32_TOLERANCE);
        }
        assertThat(new ObjectMapper().readTree(multi.toFile()).path("config").path("ranks").asInt()).isEqualTo(2);
    }

    @Test
    void killingOneRankStopsTheOtherNamingItAndAbortsItsCommunicators() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(0));
            port = s.getLocalPort();
        }
        List<Process> procs = new ArrayList<>();
        List<StringBuilder> errs = new ArrayList<>();
        CountDownLatch training = new CountDownLatch(2);
        try {
            for (int rank = 0; rank < 2; rank++) {
                List<String> args = new ArrayList<>(List.of("train", "--mesh", "1x2", "--plan", "megatron", "--steps", "100000",
                        "--log-every", "1", "--rendezvous-timeout", "60"));
                args.addAll(MODEL);
                ProcessBuilder pb = new ProcessBuilder(JavaCommand.cli().with(args));
                pb.environment().putAll(Map.of("RANK", String.valueOf(rank), "WORLD_SIZE", "2", "LOCAL_RANK", String.valueOf(rank),
                        "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", String.valueOf(port)));
                Process p = pb.start();
                procs.add(p);
                StringBuilder err = new StringBuilder();
                errs.add(err);
                drain(p.getInputStream(), new StringBuilder(), training);
                drain(p.getErrorStream(), err, null);
            }
            assertThat(training.await(180, TimeUnit.SECONDS)).as("both ranks train").isTrue();
            procs.get(1).destroyForcibly();
            // the dead rank's TCP link closes at once; rank 0 aborts its NCCL communicators instead of waiting in a collective
            assertThat(procs.get(0).waitFor(60, TimeUnit.SECONDS)).as("rank 0 stops within the rendezvous timeout").isTrue();
            assertThat(procs.get(0).exitValue()).isNotZero();
            Thread.sleep(200);
            assertThat(errs.get(0).toString()).containsPattern("alpa4j: rank 1( closed its connection without notice|'s connection broke)");
        } finally {
            procs.forEach(Process::destroyForcibly);
        }
    }

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
        t.setDaemon(true);
        t.start();
    }

    private static List<Double> losses(Path json) throws IOException {
        List<Double> out = new ArrayList<>();
        for (JsonNode s : new ObjectMapper().readTree(json.toFile()).path("steps")) {
            out.add(s.path("loss").asDouble());
        }
        return out;
    }
}
