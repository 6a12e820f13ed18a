package io.github.alpa4j.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compiles every kernel source with the local nvcc for Hopper (sm_90), all warnings as errors,
 * with NVRTC's options, and fails on any register spill or local memory. Needs nvcc, not a GPU;
 * skipped with a reason only where no nvcc is installed.
 */
class NvccCompileTest {

    static Optional<Path> nvcc() {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(":")) {
                if (!p.isBlank()) {
                    dirs.add(Path.of(p));
                }
            }
        }
        String home = System.getenv("CUDA_HOME");
        if (home != null && !home.isBlank()) {
            dirs.add(Path.of(home, "bin"));
        }
        dirs.add(Path.of("/usr/local/cuda/bin"));
        return dirs.stream().map(d -> d.resolve("nvcc")).filter(Files::isExecutable).findFirst();
    }

    @ParameterizedTest
    @EnumSource(KernelFamily.class)
    void compiles_for_sm_90_without_warnings_spills_or_local_memory(KernelFamily family, @TempDir Path dir)
            throws IOException, InterruptedException {
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc not found on PATH, in $CUDA_HOME/bin or /usr/local/cuda/bin");
        Files.writeString(dir.resolve(CudaSources.HEADER), CudaSources.read(CudaSources.HEADER));
        Path source = dir.resolve(family.fileName());
        Files.writeString(source, CudaSources.source(family).code());
        List<String> cmd = new ArrayList<>(List.of(nvcc.get().toString(), "-arch=sm_90", "-cubin"));
        cmd.addAll(CudaSources.OPTIONS);
        cmd.addAll(List.of("-Werror", "all-warnings", "-Xptxas", "-v,-warn-spills,-warn-lmem-usage",
                "-I", dir.toString(), "-o", dir.resolve(family.baseName() + ".cubin").toString(), source.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("nvcc finished").isTrue();
        assertThat(p.exitValue()).as("nvcc exit status; output:%n%s", out).isZero();
        PtxasReport report = PtxasReport.parse(out);
        assertThat(report.entries()).extracting(PtxasReport.Entry::kernel)
                .as("ptxas output:%n%s", out).containsExactlyInAnyOrderElementsOf(family.kernels());
        for (PtxasReport.Entry e : report.entries()) {
            assertThat(e.spillStoreBytes() + e.spillLoadBytes()).as("%s spills", e.kernel()).isZero();
            assertThat(e.stackFrameBytes()).as("%s uses local memory", e.kernel()).isZero();
            assertThat(e.registers()).as("%s must launch with 1024 threads", e.kernel()).isLessThanOrEqualTo(64);
        }
    }
}
