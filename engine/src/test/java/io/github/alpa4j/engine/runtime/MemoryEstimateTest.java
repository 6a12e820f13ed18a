package io.github.alpa4j.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.DataSource;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Optimizer;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The memory a step will need, known before anything is allocated: one device's estimate is what the step then holds at its peak. */
class MemoryEstimateTest {
    @ParameterizedTest
    @ValueSource(strings = {"mlp", "gpt"})
    void theEstimateOfOneDeviceIsThePeakItsStepReaches(String name) {
        Model m = MeshTraining.model(name);
        DataSource data = MeshTraining.data(name, m);
        Graph step = MeshTraining.trainingGraph(m, Optimizer.AdamW.withLr(1e-3));
        long estimate = MemoryEstimate.singleDevice(step, Set.of("loss"));
        SingleDeviceExecutor<float[], int[]> one = MeshTraining.single(step, 1);
        MeshTraining.losses(one, data, 2);
        assertThat(estimate).isEqualTo(one.peakBytes()).isPositive();
    }

    @Test
    void moreThanTheHeapHasIsRefusedSayingHowMuch() {
        long tooMuch = MemoryEstimate.heapAvailable() + (1L << 30);
        assertThatThrownBy(() -> MemoryEstimate.require(tooMuch, false, "the test step")).isInstanceOf(UserInputException.class)
                .hasMessageStartingWith("the test step needs about ").hasMessageContaining("but the JVM heap has");
    }
}
