package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --devices}: a mesh with one device per GPU, collectives through NCCL communicators per
 * mesh axis, trains as the same mesh of logical devices sharing one GPU (device-copy collectives).
 */
@Tag("gpu")
class NcclTrainingGpuTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private static void assumeGpus(int n) {
        GpuReport r = Gpu.probe();
        Assumptions.assumeTrue(r.available(), () -> "needs a GPU: " + r.summary());
        for (CudaLibrary lib : List.of(CudaLibrary.CUBLAS, CudaLibrary.NVRTC, CudaLibrary.NCCL)) {
            Assumptions.assumeTrue(r.has(lib), () -> "needs " + lib.label() + ": " + r.library(lib).detail());
        }
        Assumptions.assumeTrue(r.devices().size() >= n, () -> "needs " + n + " GPUs, this machine has " + r.devices().size());
    }

    @Test
    void aOneRankCommunicatorTrainsAsTheDeviceCopyPath() throws IOException {
        assumeGpus(1);
        assertSameLosses("1x1", "0");
    }

    @Test
    void twoGpusTrainAOneByTwoMeshAsOneGpuSharedByTwoLogicalDevices() throws IOException {
        assumeGpus(2);
        assertSameLosses("1x2", "0,1");
    }

    @Test
    void fourGpusTrainATwoByTwoMeshAsOneGpuShared() throws IOException {
        assumeGpus(4);
        assertSameLosses("2x2", "0,1,2,3");
    }

    private void assertSameLosses(String mesh, String devices) throws IOException {
        List<Double> nccl = losses("nccl", mesh, "--devices", devices);
        List<Double> shared = losses("shared", mesh);
        assertThat(nccl).hasSameSizeAs(shared);
        for (int i = 0; i < nccl.size(); i++) {
            assertThat(Math.abs(nccl.get(i) - shared.get(i)) / Math.abs(shared.get(i))).as("step %d: %s vs %s", i, nccl, shared)
                    .isLessThan(TOLERANCE);
        }
    }

    private List<Double> losses(String name, String mesh, String... extra) throws IOException {
        Path json = dir.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("train", "--backend", "cuda", "--mesh", mesh, "--plan", "megatron", "--steps", "5",
                "--hidden", "32", "--seq", "16", "--no-progress", "--json", json.toString()));
        args.addAll(List.of(extra));
        MainTest.Run r = MainTest.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<Double> out = new ArrayList<>();
        for (JsonNode s : new ObjectMapper().readTree(json.toFile()).path("steps")) {
            out.add(s.path("loss").asDouble());
        }
        return out;
    }
}
