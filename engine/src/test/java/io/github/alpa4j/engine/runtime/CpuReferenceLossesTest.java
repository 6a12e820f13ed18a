package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.data.MarkovSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Writes the CPU backend's losses of the 12-layer GPT into the test resources, for the GPU tests
 * to compare with (the GPU machine cannot afford the CPU run). Not part of the default run:
 * {@code mvn -pl engine -am test -Dtest=CpuReferenceLossesTest -Dtest.excludedGroups= -Dtest.heap=-Xmx19g
 * -Dsurefire.failIfNoSpecifiedTests=false}, then commit the file.
 */
@Tag("reference")
class CpuReferenceLossesTest {

    @Test
    void writes_the_12_layer_gpt_losses() throws Exception {
        GptRun run = GptRun.twelveLayer();
        long t0 = System.nanoTime();
        List<Double> losses = new ArrayList<>();
        try (CpuBackend cpu = new CpuBackend()) {
            SingleDeviceExecutor<float[], int[]> ex = new SingleDeviceExecutor<>(run.trainingGraph(), cpu, run.seed(), Set.of("loss"));
            MarkovSource data = run.data();
            for (int s = 0; s < run.steps(); s++) {
                losses.add((double) ex.step(data.batch(s)).get("loss").item());
                System.out.printf("step %d loss %.6f after %.0f s%n", s, losses.getLast(), (System.nanoTime() - t0) * 1e-9);
            }
        }
        String machine = String.format("%d cores, %s %s, %.0f s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version"), (System.nanoTime() - t0) * 1e-9);
        assertThat(losses).allMatch(Double::isFinite);
        new ReferenceLosses(run.name(), run.fingerprint(), losses, machine)
                .write(Path.of("src/test/resources/io/github/alpa4j/engine/runtime", ReferenceLosses.resource(run)));
    }
}
