package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.cuda.CudaLibrary;
import io.github.alpa4j.cuda.Gpu;
import io.github.alpa4j.cuda.GpuReport;
import io.github.alpa4j.energy.monitor.EnergySummary;
import io.github.alpa4j.engine.train.TrainReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --energy}: refused in one line without NVML; on a GPU, the documented fields. */
class TrainEnergyTest {
    @Test
    void withoutNvmlEnergyIsRefusedInOneLine() {
        GpuReport gpu = Gpu.probe();
        Assumptions.assumeFalse(gpu.available() && gpu.has(CudaLibrary.NVML), "this machine has NVML: the GPU test covers it");
        MainTest.Run r = MainTest.run("train", "--energy", "--steps", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("alpa4j: --energy needs NVML and the NVIDIA driver: ");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void clocksWithoutNvmlIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        GpuReport gpu = Gpu.probe();
        Assumptions.assumeFalse(gpu.available() && gpu.has(CudaLibrary.NVML), "this machine has NVML");
        Path plan = dir.resolve("plan.csv");
        java.nio.file.Files.writeString(plan, "instruction,frequency\nF(0,0),1410\n");
        MainTest.Run r = MainTest.run("energy", "clocks", "--plan", plan.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("alpa4j: energy clocks needs NVML and the NVIDIA driver: ");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void energyFieldsJoinTheReport() {
        Map<String, Object> json = new LinkedHashMap<>();
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            steps.add(new LinkedHashMap<>(Map.of("step", i)));
        }
        json.put("steps", steps);
        TrainReport.addEnergy(json, new EnergySummary(500, 250, 2.5, List.of(1200.0, 500.0, 500.0)));
        assertThat(json).containsEntry("energy_j_per_iteration", 500.0).containsEntry("avg_power_w", 250.0)
                .containsEntry("tokens_per_joule", 2.5);
        assertThat(steps).extracting(s -> s.get("energy_j")).containsExactly(1200.0, 500.0, 500.0);
    }

    @Test
    @Tag("gpu")
    void onAGpuTheRunReportsJoulesPowerAndTokensPerJoule(@TempDir Path dir) throws Exception {
        GpuReport gpu = Gpu.probe();
        Assumptions.assumeTrue(gpu.available(), () -> "needs a GPU: " + gpu.summary());
        Assumptions.assumeTrue(gpu.has(CudaLibrary.NVML) && gpu.has(CudaLibrary.CUBLAS) && gpu.has(CudaLibrary.NVRTC),
                "needs NVML, cuBLAS and NVRTC");
        Path json = dir.resolve("e.json");
        MainTest.Run r = MainTest.run("train", "--backend", "cuda", "--energy", "--layers", "2", "--hidden", "256", "--heads", "4",
                "--seq", "64", "--vocab", "64", "--batch", "16", "--steps", "20", "--json", json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("J per step", "W average", "tokens/J");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        double perIteration = j.get("energy_j_per_iteration").asDouble();
        assertThat(perIteration).isPositive();
        assertThat(j.get("avg_power_w").asDouble()).isPositive();
        assertThat(j.get("tokens_per_joule").asDouble()).isPositive();
        double sum = 0;
        for (int s = 1; s < 20; s++) {
            sum += j.get("steps").get(s).get("energy_j").asDouble();
        }
        assertThat(sum / 19).isCloseTo(perIteration, org.assertj.core.api.Assertions.within(1e-6 * sum));
        // the window an outside meter can be compared over: steps 1..19 in wall-clock time
        long start = j.get("energy_window_unix_ms").get(0).asLong();
        long end = j.get("energy_window_unix_ms").get(1).asLong();
        assertThat(end).isGreaterThan(start);
        assertThat(end).isLessThanOrEqualTo(System.currentTimeMillis());
    }
}
