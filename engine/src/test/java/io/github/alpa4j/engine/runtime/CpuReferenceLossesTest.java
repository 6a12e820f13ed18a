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
 * to compare with (the GPU machine cannot afford the CPU run). Not part of the default run; from the
 * repository root (docs/cuda.md), then commit the file:
 * <ul>
 *   <li>the first step's loss (the forward pass, minutes on two cores):
 *   {@code ./test.sh -pl engine -am -Dtest='CpuReferenceLossesTest#writes_the_12_layer_gpt_first_loss'
 *   -Dtest.excludedGroups= -Dtest.heap=-Xmx12g -Dsurefire.failIfNoSpecifiedTests=false}</li>
 *   <li>all 20 steps (hours on two cores, about 20 GB): the same with
 *   {@code -Dtest='CpuReferenceLossesTest#writes_the_12_layer_gpt_losses' -Dtest.heap=-Xmx19g}</li>
 * </ul>
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
        assertThat(losses).allMatch(Double::isFinite);
        store(run, losses, t0);
    }

    @Test
    void writes_the_12_layer_gpt_first_loss() throws Exception {
        GptRun run = GptRun.twelveLayer().firstStep();
        long t0 = System.nanoTime();
        double loss = CudaBackendGpuTest.cpuFirstLoss(run);
        System.out.printf("first loss %.6f after %.0f s%n", loss, (System.nanoTime() - t0) * 1e-9);
        assertThat(loss).isFinite();
        store(run, List.of(loss), t0);
    }

    private static void store(GptRun run, List<Double> losses, long t0) throws Exception {
        String machine = String.format("%d cores, %s %s, %.0f s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), System.getProperty("java.version"), (System.nanoTime() - t0) * 1e-9);
        new ReferenceLosses(run.name(), run.fingerprint(), losses, machine)
                .write(Path.of("src/test/resources/io/github/alpa4j/engine/runtime", ReferenceLosses.resource(run)));
    }
}
