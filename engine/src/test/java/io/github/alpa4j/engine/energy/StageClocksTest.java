package io.github.alpa4j.engine.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.control.GpuClocks;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.engine.UserInputException;
import io.github.alpa4j.engine.data.MarkovSource;
import io.github.alpa4j.engine.model.GptConfig;
import io.github.alpa4j.engine.model.Model;
import io.github.alpa4j.engine.model.Models;
import io.github.alpa4j.engine.runtime.BackendRunner;
import io.github.alpa4j.engine.runtime.Backends;
import io.github.alpa4j.engine.runtime.PipelineRuntime;
import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.ir.autodiff.Optimizer;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.ClusterPresets;
import io.github.alpa4j.planner.stage.MegatronPipeline;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.StageOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pipeline's frequency plan applied stage by stage while it trains, on simulated CPU devices with a fake
 * clock per device: each device's clock follows its stage's plan in the order its schedule runs the
 * instructions, and a plan of another pipeline is refused before anything runs.
 */
class StageClocksTest {
    private static final int MICROBATCHES = 4;

    /** A clock that records what it is set to; every H100 clock is supported. */
    static class FakeClock implements GpuClocks {
        final int gpu;
        final List<Integer> set = Collections.synchronizedList(new ArrayList<>());
        int resets;

        FakeClock(int gpu) {
            this.gpu = gpu;
        }

        @Override
        public int gpu() {
            return gpu;
        }

        @Override
        public int[] supportedGraphicsClocksMhz() {
            return new ModelledClocks(gpu, GpuSpec.h100Sxm()).supportedGraphicsClocksMhz();
        }

        @Override
        public int currentGraphicsClockMhz() {
            return 1980;
        }

        @Override
        public boolean canSetClocks() {
            return true;
        }

        @Override
        public void setLockedGraphicsClock(int mhz) {
            set.add(mhz);
        }

        @Override
        public void resetGraphicsClocks() {
            resets++;
        }
    }

    private static PipelinePlan plan() {
        Model m = Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8 / MICROBATCHES));
        Graph g = DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", Optimizer.AdamW.withLr(1e-3)).keepOutputs(List.of("loss")));
        Cluster c = ClusterPresets.byName("cpu", 1);
        Cluster four = new Cluster(c.name(), 1, 4, c.gpu(), c.intraHost(), c.interHost());
        return MegatronPipeline.plan(g, MICROBATCHES, four, MegatronPipeline.parse("megatron:dp=2,tp=1,pp=2"), StageOptions.defaults());
    }

    /** Stage s runs F(s,m) at 1005 + 15·(2m + s) MHz and B(s,m) 300 MHz higher: every instruction its own clock. */
    private static PlanFrequencies frequencies(PipelinePlan plan) {
        List<FrequencyPlan> stages = new ArrayList<>();
        for (int s = 0; s < plan.stages().size(); s++) {
            List<FrequencyPlan.Step> steps = new ArrayList<>();
            for (PipelineSchedule.Task t : plan.schedule().stageTasks(plan.stages().size(), MICROBATCHES, s).inOrder()) {
                boolean f = t.pass() == PipelineSchedule.Pass.FORWARD;
                steps.add(new FrequencyPlan.Step(StageClocks.id(s, t.microbatch(), t.pass()), 1005 + 15 * (2 * t.microbatch() + s) + (f ? 0 : 300)));
            }
            stages.add(new FrequencyPlan(steps));
        }
        return new PlanFrequencies("H100-SXM5-80GB", MICROBATCHES, stages);
    }

    @Test
    void eachDeviceFollowsItsStagesPlanInScheduleOrder() {
        PipelinePlan plan = plan();
        PlanFrequencies freq = frequencies(plan);
        List<FakeClock> clocks = new ArrayList<>();
        for (int d = 0; d < plan.deviceCount(); d++) {
            clocks.add(new FakeClock(d));
        }
        Model m = Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8));
        MarkovSource data = new MarkovSource(16, 8, 8, 7, m.dataInput(), m.labelInput());
        try (BackendRunner r = Backends.cpuPipeline(plan, 3);
             StageClocks sc = StageClocks.open(plan, freq, clocks::get, true, line -> { })) {
            ((PipelineRuntime<?, ?>) r.runner()).listen(sc);
            r.step(data.batch(0));
            sc.awaitApplied();
            assertThat(sc.instructions()).isEqualTo(2L * MICROBATCHES * plan.deviceCount());
        }
        int device = 0;
        for (int s = 0; s < plan.stages().size(); s++) {
            List<Integer> expected = freq.stages().get(s).steps().stream().map(FrequencyPlan.Step::mhz).toList();
            for (int d = 0; d < plan.stages().get(s).mesh().deviceCount(); d++) {
                FakeClock c = clocks.get(device++);
                assertThat(c.set).as("device %d of stage %d", d, s).containsExactlyElementsOf(expected);
                assertThat(c.resets).as("clocks reset once at the end").isEqualTo(1);
            }
        }
    }

    @Test
    void theDryRunSetsNothingAndReportsEachChange() {
        PipelinePlan plan = plan();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<FakeClock> clocks = new ArrayList<>();
        for (int d = 0; d < plan.deviceCount(); d++) {
            clocks.add(new FakeClock(d));
        }
        try (StageClocks sc = StageClocks.open(plan, frequencies(plan), clocks::get, false, lines::add)) {
            sc.computing(0, 0, 0, PipelineSchedule.Pass.FORWARD);
            sc.computing(1, 1, 2, PipelineSchedule.Pass.BACKWARD);
            sc.awaitApplied();
        }
        assertThat(clocks).allSatisfy(c -> assertThat(c.set).isEmpty());
        assertThat(lines).contains("would set GPU 0 to 1005 MHz", "would set GPU 3 to " + (1005 + 15 * 5 + 300) + " MHz");
    }

    @Test
    void aPlanOfAnotherPipelineIsRefused() {
        PipelinePlan plan = plan();
        PlanFrequencies f = frequencies(plan);
        PlanFrequencies fewer = new PlanFrequencies(f.gpu(), MICROBATCHES / 2, f.stages());
        assertThatThrownBy(() -> StageClocks.open(plan, fewer, FakeClock::new, false, l -> { }))
                .isInstanceOf(UserInputException.class).hasMessageContaining("2 stages x 2 microbatches, this pipeline has 2 x 4");
        List<FrequencyPlan> missing = new ArrayList<>(f.stages());
        missing.set(1, new FrequencyPlan(f.stages().get(1).steps().subList(1, 2 * MICROBATCHES)));
        assertThatThrownBy(() -> StageClocks.open(plan, new PlanFrequencies(f.gpu(), MICROBATCHES, missing), FakeClock::new, false, l -> { }))
                .isInstanceOf(UserInputException.class).hasMessageContaining("stage 1 does not list exactly its 8 forwards and backwards");
    }
}
