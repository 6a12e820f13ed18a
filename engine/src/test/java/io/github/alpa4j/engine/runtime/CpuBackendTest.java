package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.TensorType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The whole-machine CPU device: its threads and reused buffers change no result, and a step after the first allocates nothing. */
class CpuBackendTest {
    private static final GptRun RUN = new GptRun("cpu-backend", new GptConfig(2, 4, 64, 32, 16, 8), 1e-3, 3, 4);

    @Test
    void freedArraysAreReusedByLengthAndType() {
        try (CpuBackend cpu = CpuBackend.wholeMachine(1)) {
            Object a = cpu.allocate(TensorType.f32(4, 8));
            cpu.free(a);
            assertThat(cpu.allocate(TensorType.i32(32))).isNotSameAs(a).isInstanceOf(int[].class);
            assertThat(cpu.allocate(TensorType.f32(31))).isNotSameAs(a);
            assertThat(cpu.allocate(TensorType.f32(32))).isSameAs(a);
            assertThat(cpu.arraysCreated()).isEqualTo(3);
        }
        CpuBackend meshDevice = new CpuBackend("cpu0");
        Object b = meshDevice.allocate(TensorType.f32(8));
        meshDevice.free(b);
        assertThat(meshDevice.allocate(TensorType.f32(8))).as("a mesh device reuses freed arrays too").isSameAs(b);
        assertThat(meshDevice.arraysCreated()).isEqualTo(1);
    }

    @Test
    void twoThreadsAndReusedBuffersTrainAsOneThreadWithFreshArrays() {
        List<Double> want = RUN.losses(new SingleDeviceExecutor<>(RUN.trainingGraph(), new CpuBackend(), RUN.seed(), Set.of("loss")));
        try (CpuBackend cpu = CpuBackend.wholeMachine(2)) {
            SingleDeviceExecutor<float[], int[]> ex = new SingleDeviceExecutor<>(RUN.trainingGraph(), cpu, RUN.seed(), Set.of("loss"));
            // products split over two threads may round their last bit otherwise; every other kernel computes the same floats
            assertThat(GpuCheck.maxRelativeDifference(RUN.losses(ex), want)).isLessThan(1e-6);
        }
    }

    @Test
    void aStepAfterTheFirstCreatesNoArrays() {
        try (CpuBackend cpu = CpuBackend.wholeMachine(2)) {
            SingleDeviceExecutor<float[], int[]> ex = new SingleDeviceExecutor<>(RUN.trainingGraph(), cpu, RUN.seed(), Set.of("loss"));
            Map<String, Tensor> batch = RUN.data().batch(0);
            ex.step(batch);
            long afterFirst = cpu.arraysCreated();
            long peak = ex.peakBytes();
            ex.step(RUN.data().batch(1));
            ex.step(RUN.data().batch(2));
            assertThat(cpu.arraysCreated()).isEqualTo(afterFirst);
            assertThat(ex.peakBytes()).as("peak memory still counts tensors, not the arrays kept for reuse").isEqualTo(peak);
        }
    }
}
