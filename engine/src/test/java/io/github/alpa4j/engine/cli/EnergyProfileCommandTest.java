package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.energy.model.DvfsEnergyModel;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.model.InstructionTime;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;
import io.github.alpa4j.energy.profile.ProfileCsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code energy profile} on simulated GPUs (a fake clock that follows the clock set, energy scripted from the
 * A100 power model): stepping the clocks writes a profile that {@code energy frontier --profile} solves; without
 * {@code --apply-clocks} one clock only; bad input is one line, exit 2, nothing written.
 */
class EnergyProfileCommandTest {
    private static final String[] MODEL = {"--pipeline", "--model", "gpt", "--layers", "2", "--hidden", "16", "--heads", "2", "--seq", "4",
        "--vocab", "8", "--batch", "4", "--microbatches", "2", "--plan", "megatron:dp=1,tp=1,pp=2", "--mesh", "1x2", "--no-progress"};

    private static String[] profile(String... more) {
        String[] a = new String[2 + MODEL.length + more.length];
        a[0] = "energy";
        a[1] = "profile";
        System.arraycopy(MODEL, 0, a, 2, MODEL.length);
        System.arraycopy(more, 0, a, 2 + MODEL.length, more.length);
        return a;
    }

    @Test
    void steppingTheClocksWritesAProfileTheFrontierSolves(@TempDir Path dir) {
        Path csv = dir.resolve("profile.csv");
        MainTest.Run r = MainTest.run(profile("--out", csv.toString(), "--apply-clocks", "--clocks", "1410,1005,705", "--iterations", "2"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("stepping through 3 clocks (1410, 1005, 705 MHz)")
                .contains("profile of 2 stages at 3 clocks written to").contains("SIMULATED, not measured");
        Profile p = ProfileCsv.read(csv);
        assertThat(p.stageCount()).isEqualTo(2);
        assertThat(p.measurements()).hasSize(12);
        GpuSpec a100 = GpuSpec.preset("a100").orElseThrow();
        for (int s = 0; s < 2; s++) {
            for (Instruction i : Instruction.values()) {
                List<Measurement> rows = p.measurements(s, i);
                assertThat(rows).extracting(Measurement::frequencyMhz).containsExactly(1410, 1005, 705);
                for (Measurement m : rows) {
                    // the scripted source draws the model's power at the clock set, all through each pass
                    double watts = DvfsEnergyModel.estimate(a100, new InstructionTime(1, 0), m.frequencyMhz()).powerWatts();
                    // within 1 %, and the counter's resolution: two readings of whole millijoules (a pass can be 50 us)
                    double expected = watts * m.timeSeconds();
                    assertThat(m.energyJoules()).as("%s at %.1f W", m, watts).isCloseTo(expected, within(0.01 * expected + 1e-3));
                }
            }
        }
        MainTest.Run f = MainTest.run("energy", "frontier", "--profile", csv.toString(), "--stages", "2", "--microbatches", "2");
        assertThat(f.code()).as(f.err()).isZero();
        assertThat(f.out()).isNotBlank();
    }

    @Test
    void withoutApplyClocksItMeasuresTheCurrentClockOnlyAndSaysSo(@TempDir Path dir) {
        Path csv = dir.resolve("now.csv");
        MainTest.Run r = MainTest.run(profile("--out", csv.toString(), "--iterations", "1", "--warmup", "0", "--gpu", "h100"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("not setting clocks (no --apply-clocks): measuring at 1 clock (1980 MHz)")
                .contains("one clock only").doesNotContain("clocks: would set").doesNotContain("clocks: set");
        List<String> lines = List.of(readString(csv).split("\n"));
        assertThat(lines.getFirst()).isEqualTo(ProfileCsv.HEADER);
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(1, 5)).allMatch(l -> l.split(",")[2].equals("1980"));
        MainTest.Run f = MainTest.run("energy", "frontier", "--profile", csv.toString(), "--stages", "2", "--microbatches", "2");
        assertThat(f.code()).isEqualTo(2);
        assertThat(f.err()).contains("has this one frequency only");
    }

    @Test
    void badInputIsOneLineAndWritesNothing(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("keep.csv");
        Files.writeString(csv, "precious");
        String[][] cases = {
            {"energy", "profile", "--model", "gpt", "--out", csv.toString()},
            profile("--out", csv.toString(), "--clocks", "1410"),
            profile("--out", csv.toString(), "--apply-clocks", "--clocks", "1411"),
            profile("--out", dir.toString()),
            profile("--out", csv.toString(), "--backend", "tpu"),
            profile("--out", csv.toString(), "--gpu", "b200"),
            profile("--out", csv.toString(), "--iterations", "0"),
        };
        String[] expected = {"add --pipeline", "it needs --apply-clocks", "does not support 1411 MHz", "is a directory",
            "--backend must be cpu or cuda", "--gpu must be one of", "--iterations must be 1 or more"};
        for (int i = 0; i < cases.length; i++) {
            MainTest.Run r = MainTest.run(cases[i]);
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).contains(expected[i]);
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(Files.readString(csv)).isEqualTo("precious");
        }
    }

    @Test
    void onCudaWithoutAGpuItIsOneLineAndWritesNothing(@TempDir Path dir) {
        io.github.alpa4j.cuda.GpuReport gpu = io.github.alpa4j.cuda.Gpu.probe();
        org.junit.jupiter.api.Assumptions.assumeFalse(gpu.available(), "this machine has a GPU: the GPU test covers it");
        Path csv = dir.resolve("p.csv");
        MainTest.Run r = MainTest.run(profile("--out", csv.toString(), "--backend", "cuda"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
        assertThat(csv).doesNotExist();
    }

    /** The GPU check machine runs the read-only form only: it sets no clock. */
    @Test
    @org.junit.jupiter.api.Tag("gpu")
    void onAGpuTheReadOnlyFormMeasuresTheCurrentClock(@TempDir Path dir) {
        io.github.alpa4j.cuda.GpuReport gpu = io.github.alpa4j.cuda.Gpu.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(gpu.available(), () -> "needs a GPU: " + gpu.summary());
        org.junit.jupiter.api.Assumptions.assumeTrue(gpu.has(io.github.alpa4j.cuda.CudaLibrary.NVML)
                && gpu.has(io.github.alpa4j.cuda.CudaLibrary.CUBLAS) && gpu.has(io.github.alpa4j.cuda.CudaLibrary.NVRTC),
                "needs NVML, cuBLAS and NVRTC");
        Path csv = dir.resolve("gpu.csv");
        MainTest.Run r = MainTest.run("energy", "profile", "--pipeline", "--backend", "cuda", "--model", "gpt", "--layers", "2",
                "--hidden", "256", "--heads", "4", "--seq", "64", "--vocab", "64", "--batch", "16", "--microbatches", "2",
                "--plan", "megatron:dp=1,tp=1,pp=2", "--mesh", "1x2", "--iterations", "5", "--no-progress", "--out", csv.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("not setting clocks (no --apply-clocks)").contains("measured on GPU 0 through NVML");
        List<String> lines = List.of(readString(csv).split("\n"));
        assertThat(lines).hasSize(5);
        for (String l : lines.subList(1, 5)) {
            String[] f = l.split(",");
            assertThat(Double.parseDouble(f[3])).as(l).isPositive();
            assertThat(Double.parseDouble(f[4])).as(l).isGreaterThanOrEqualTo(0);
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
