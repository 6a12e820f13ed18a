package io.github.alpa4j.engine.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.engine.UserInputException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The profiler's parts that need no pipeline: the privilege refusal and the median it reports (EnergyProfileCommandTest runs the rest). */
class StageProfilerTest {
    private final GpuSpec a100 = GpuSpec.preset("a100").orElseThrow();

    @Test
    void applyingClocksWithoutThePrivilegeIsOneLineBeforeAnythingIsSet() {
        GpuClocks locked = new ModelledClocks(0, a100); // cannot set: as a GPU without root or CAP_SYS_ADMIN
        assertThatThrownBy(() -> StageProfiler.requirePrivilege(2, d -> locked)).isInstanceOf(UserInputException.class)
                .hasMessageContaining("needs root or CAP_SYS_ADMIN").hasMessageNotContaining("\n");
        AtomicLong real = new AtomicLong();
        SimulatedGpus gpus = new SimulatedGpus(a100, 2, real::get);
        StageProfiler.requirePrivilege(2, gpus::clocks); // simulated clocks may always be set
    }

    @Test
    void aDelayedPassMovesTheMedianLittle() {
        assertThat(StageProfiler.median(List.of(new double[] {1.0, 10}, new double[] {1.2, 11}, new double[] {40.0, 12})))
                .containsExactly(1.2, 11.0);
        assertThat(StageProfiler.median(List.of(new double[] {2.0, 4}, new double[] {1.0, 1}, new double[] {3.0, 8}, new double[] {40.0, 9})))
                .containsExactly(2.5, 6.0);
        assertThat(StageProfiler.median(List.of())).containsExactly(0.0, 0.0);
    }
}
