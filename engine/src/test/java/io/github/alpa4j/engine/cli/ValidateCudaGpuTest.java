package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code validate --backend cuda}: the suite's 1x2 cases on logical devices sharing GPU 0, measured and predicted. */
@Tag("gpu")
class ValidateCudaGpuTest {
    @TempDir
    Path dir;

    @Test
    void theSuiteRunsOnLogicalDevicesOfOneGpu() throws IOException {
        GpuReport g = Gpu.probe();
        Assumptions.assumeTrue(g.available(), () -> "needs a GPU: " + g.summary());
        for (CudaLibrary lib : List.of(CudaLibrary.CUBLAS, CudaLibrary.NVRTC)) {
            Assumptions.assumeTrue(g.has(lib), () -> "needs " + lib.label() + ": " + g.library(lib).detail());
        }
        Path json = dir.resolve("v.json");
        MainTest.Run r = MainTest.run("validate", "--backend", "cuda", "--mesh", "1x2", "--steps", "3", "--cluster", "hgx-h100",
                "--json", json.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("runs on logical devices on GPU 0");
        JsonNode v = new ObjectMapper().readTree(json.toFile());
        assertThat(v.path("devices").asText()).isEqualTo("cuda");
        assertThat(v.path("cases")).isNotEmpty();
        for (JsonNode c : v.path("cases")) {
            assertThat(c.path("measured_iteration_seconds").asDouble()).as(c.toString()).isPositive();
            assertThat(c.path("predicted_iteration_seconds").asDouble()).as(c.toString()).isPositive();
        }
    }
}
