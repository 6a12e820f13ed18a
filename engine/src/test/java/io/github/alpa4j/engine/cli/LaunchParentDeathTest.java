package io.github.alpa4j.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.alpa4j.engine.dist.JavaCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker of {@code alpa4j launch} outlives no SIGKILL of its launcher: it sees its stdin pipe end,
 * finishes its step, writes its checkpoint and metrics as after SIGTERM, and exits.
 */
class LaunchParentDeathTest {
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES) // a hang guard only
    void aWorkerStopsWithACheckpointWhenItsLauncherIsKilled(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        Path json = dir.resolve("m.json");
        List<String> worker = TrainResumeTest.concat(TrainSignalTest.RUN, "--steps", "100000000", "--checkpoint-dir", ck.toString(),
                "--checkpoint-every", "100000000", "--json", json.toString());
        ProcessBuilder pb = new ProcessBuilder(JavaCommand.cli().with(TrainResumeTest.concat(List.of("launch", "--nproc-per-node", "1",
                "--master-port", "0", "--"), worker.toArray(String[]::new))));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("launch.txt").toFile());
        Process launcher = pb.start();
        while (!Files.exists(json) && launcher.isAlive()) {   // the worker has begun to train
            Thread.sleep(50);
        }
        List<ProcessHandle> workers = launcher.descendants().toList();
        assertThat(workers).as(Files.readString(dir.resolve("launch.txt"))).isNotEmpty();
        launcher.destroyForcibly();   // SIGKILL: no shutdown hook stops the workers
        launcher.waitFor();
        for (ProcessHandle w : workers) {
            w.onExit().get(3, TimeUnit.MINUTES);
        }
        var j = new ObjectMapper().readTree(json.toFile());
        assertThat(j.get("status").asText()).isEqualTo("interrupted");
        assertThat(ck.resolve(String.format("step-%08d", j.get("steps").size())).resolve("manifest.json")).exists();
    }
}
