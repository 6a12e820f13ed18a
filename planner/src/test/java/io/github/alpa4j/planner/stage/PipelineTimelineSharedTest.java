package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PipelineTimelineSharedTest {
    private static final PipelineSchedule ONE_F_ONE_B = PipelineSchedule.ONE_F_ONE_B;

    @Test
    void aMachineWithRoomForEveryStageRunsTheScheduleAsIs() {
        double[] fwd = {1, 1.5, 1, 2};
        double[] bwd = {2, 3, 2, 4};
        int[] devices = {1, 1, 1, 1};
        for (PipelineSchedule s : PipelineSchedule.values()) {
            double plain = PipelineTimeline.simulate(s, fwd, bwd, 4).makespan();
            assertThat(PipelineTimeline.shared(s, fwd, bwd, devices, 4, 4).makespan()).as("%s", s).isCloseTo(plain, within(1e-9));
            assertThat(PipelineTimeline.shared(s, fwd, bwd, devices, 4, 64).makespan()).as("%s", s).isCloseTo(plain, within(1e-9));
        }
    }

    @Test
    void oneSlotRunsAllTheWorkOneAfterAnother() {
        // two one-device stages on one core: some pass is always ready, so the core never idles: 2 x 2 x (1 + 2) s
        PipelineTimeline t = PipelineTimeline.shared(ONE_F_ONE_B, new double[] {1, 1}, new double[] {2, 2}, new int[] {1, 1}, 2, 1);
        assertThat(t.makespan()).isCloseTo(12, within(1e-9));
        // by hand: stage 0's first forward alone (0-1); then its second forward beside stage 1's first, each at half
        // speed (1-3); stage 1's first backward alone, stage 0 waiting for it (3-5)
        assertThat(t.stages().get(0).get(1).end()).isCloseTo(3, within(1e-9));
        assertThat(t.stages().get(1).get(1).start()).isCloseTo(3, within(1e-9));
        assertThat(t.stages().get(1).get(1).end()).isCloseTo(5, within(1e-9));
    }

    @Test
    void stagesTakingTurnsLieBetweenTheScheduleAndTheWorkOverTheSlots() {
        double[] fwd = {1, 1, 1, 1};
        double[] bwd = {2, 2, 2, 2};
        int[] devices = {1, 1, 1, 1};
        double plain = PipelineTimeline.simulate(ONE_F_ONE_B, fwd, bwd, 4).makespan();
        double shared = PipelineTimeline.shared(ONE_F_ONE_B, fwd, bwd, devices, 4, 2).makespan();
        assertThat(shared).isGreaterThanOrEqualTo(Math.max(plain, 4 * 4 * 3 / 2.0) - 1e-9).isLessThanOrEqualTo(2 * plain + 1e-9);
        // a stage of two devices counts twice against the slots
        double wide = PipelineTimeline.shared(ONE_F_ONE_B, new double[] {1, 1}, new double[] {2, 2}, new int[] {2, 2}, 2, 2).makespan();
        assertThat(wide).isCloseTo(12, within(1e-9));
    }
}
