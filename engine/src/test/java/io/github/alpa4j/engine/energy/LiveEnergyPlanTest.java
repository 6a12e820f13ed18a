package io.github.alpa4j.engine.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.energy.control.FrequencyPlan;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.monitor.EnergyMonitor;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Perseus's workflow in a live run, on simulated CPU devices: a fake clock per device records what it is set to, the
 * energy counters are scripted from the H100 model ({@link SimulatedGpus}), and the iteration's time at the clocks handed
 * over is replayed on a fake time line ({@link ScheduleReplay}), never the wall clock.
 */
class LiveEnergyPlanTest {
    private static final int STAGES = 4;
    private static final int MICROBATCHES = 4;
    private static final GpuSpec H100 = GpuSpec.h100Sxm();

    private static PipelinePlan plan() {
        Model m = Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8 / MICROBATCHES));
        Graph g = DeadCodeElimination.apply(Autodiff.training(m.forward(), "loss", Optimizer.AdamW.withLr(1e-3)).keepOutputs(List.of("loss")));
        Cluster c = ClusterPresets.byName("cpu", 1);
        Cluster four = new Cluster(c.name(), 1, STAGES, c.gpu(), c.intraHost(), c.interHost());
        return MegatronPipeline.plan(g, MICROBATCHES, four, MegatronPipeline.parse("megatron:dp=1,tp=1,pp=4"), StageOptions.defaults());
    }

    /** A pipeline being trained, its devices' fake clocks and the plan on them. */
    private static final class Run implements AutoCloseable {
        final PipelinePlan plan = plan();
        final Model model = Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8));
        final MarkovSource data = new MarkovSource(16, 8, 8, 7, model.dataInput(), model.labelInput());
        final BackendRunner runner = Backends.cpuPipeline(plan, 3);
        final List<StageClocksTest.FakeClock> clocks = new ArrayList<>();
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final LiveEnergyPlan live;
        long step;

        Run(boolean apply, StragglerNotices notices, int failingDevice) {
            for (int d = 0; d < plan.deviceCount(); d++) {
                clocks.add(d == failingDevice ? new FailingClock(d) : new StageClocksTest.FakeClock(d));
            }
            SimulatedGpus gpus = new SimulatedGpus(H100, plan.deviceCount(), System::nanoTime);
            EnergyMonitor monitor = EnergyMonitor.manual(gpus, gpus::nanos);
            var setup = new LiveEnergyPlan.Setup(plan, (PipelineRuntime<?, ?>) runner.runner(), H100, clocks::get, apply, monitor, gpus::fake,
                    d -> d, true, notices, log::add, line -> { });
            live = LiveEnergyPlan.start(setup, new EnergyPlanSource.Auto(1, 2)).closing(monitor);
        }

        void steps(int n) {
            for (int i = 0; i < n; i++) {
                runner.step(data.batch(step++));
                live.afterStep();
            }
        }

        @Override
        public void close() throws Exception {
            try {
                live.close();
            } finally {
                runner.close();
            }
        }
    }

    /** A clock whose setter fails, as a GPU that lost its privilege would. */
    static final class FailingClock extends StageClocksTest.FakeClock {
        FailingClock(int gpu) {
            super(gpu);
        }

        @Override
        public void setLockedGraphicsClock(int mhz) {
            throw new io.github.alpa4j.energy.control.ClockControlException("GPU " + gpu + " refused " + mhz + " MHz");
        }
    }

    /** Each stage's clocks handed over in the last iteration, against the schedule's order and the plan in force. */
    private static void assertFollows(LiveEnergyReport.Summary s, PipelinePlan plan) {
        for (int stage = 0; stage < STAGES; stage++) {
            int st = stage;
            List<StageClocks.Handed> handed = s.lastHanded().get(st).get(0);
            List<String> order = handed.stream().map(h -> StageClocks.id(st, h.microbatch(), h.pass())).toList();
            List<String> schedule = plan.schedule().stageTasks(STAGES, MICROBATCHES, st).inOrder().stream()
                    .map(t -> StageClocks.id(st, t.microbatch(), t.pass())).toList();
            assertThat(order).as("stage %d runs its schedule", st).containsExactlyElementsOf(schedule);
            FrequencyPlan p = s.inForce().stages().get(st);
            assertThat(handed).allSatisfy(h -> assertThat(h.mhz()).isEqualTo(p.mhz(StageClocks.id(h.stage(), h.microbatch(), h.pass())).orElseThrow()));
        }
    }

    @Test
    void autoProfilesThenAppliesEachStagesClocksInScheduleOrderAndMeetsThePlannedTime() throws Exception {
        try (Run r = new Run(true, null, -1)) {
            r.steps(3);
            LiveEnergyReport.Summary s = r.live.summary();
            assertThat(s.deployedAfterStep()).isEqualTo(3);
            assertThat(s.profiled()).hasSize(2 * STAGES).allSatisfy(m -> assertThat(m.frequencyMhz()).isEqualTo(1980));
            // clocks are set: steps 4-8 alternate the plan and the highest clock (two pairs), to measure the saving; 8 runs the plan
            r.steps(5);
            s = r.live.summary();
            assertThat(s.measuredAtMaxClock().iterations()).isEqualTo(2);
            assertThat(s.measured().iterations()).isEqualTo(3);
            assertThat(s.measuredSavingPercent()).isFinite();
            assertFollows(s, r.plan);
            // every device's clock was set to its stage's planned clocks, in the order the schedule ran them
            for (int d = 0; d < STAGES; d++) {
                List<Integer> planned = new ArrayList<>();
                for (StageClocks.Handed h : s.lastHanded().get(d).get(0)) {
                    if (planned.isEmpty() || planned.getLast() != h.mhz()) {
                        planned.add(h.mhz());
                    }
                }
                List<Integer> set = r.clocks.get(d).set;
                assertThat(set.subList(set.size() - planned.size(), set.size())).as("device %d", d).containsExactlyElementsOf(planned);
            }
            assertThat(s.replayedSeconds()).isCloseTo(s.plannedSeconds(), within(0.02 * s.plannedSeconds()));
            assertThat(s.savingPercent()).isPositive();
            assertThat(r.log).anySatisfy(l -> assertThat(l).contains("less than every stage at its highest clock"));
            for (int st = 0; st < STAGES; st++) {
                // the forward and backward instructions' joules are part of the stage's iteration
                double passes = s.measured().forwardJoules()[st] + s.measured().backwardJoules()[st];
                assertThat(passes).isPositive().isLessThanOrEqualTo(s.measured().windowJoules()[st] * 1.0001);
            }
        }
    }

    @Test
    void aStragglerNoticeSwitchesAtTheNextIterationAndTimeZeroSwitchesBack(@TempDir Path job) throws Exception {
        try (Run r = new Run(true, new StragglerNotices(job), -1)) {
            r.steps(4);
            LiveEnergyReport.Summary fastest = r.live.summary();
            double straggler = 1.3 * fastest.plannedSeconds();
            StragglerNotices.post(job, straggler);
            r.steps(1); // the notice is read at this step's end
            assertThat(r.live.summary().switches()).hasSize(1);
            r.steps(1);
            LiveEnergyReport.Summary slow = r.live.summary();
            assertFollows(slow, r.plan);
            assertThat(slow.plannedSeconds()).isEqualTo(straggler);
            assertThat(slow.replayedSeconds()).isLessThanOrEqualTo(straggler * 1.02).isGreaterThan(fastest.plannedSeconds());
            assertThat(LiveEnergyPlan.sum(slow.predicted()) / slow.plannedSeconds())
                    .as("less power: the stages run slower clocks").isLessThan(LiveEnergyPlan.sum(fastest.predicted()) / fastest.plannedSeconds());
            assertThat(slow.inForce()).isNotEqualTo(fastest.inForce());
            LiveEnergyPlan.Switch sw = slow.switches().getFirst();
            assertThat(sw.afterStep()).isEqualTo(5);
            assertThat(sw.stragglerSeconds()).isEqualTo(straggler);
            assertThat(sw.pointSeconds()).isLessThanOrEqualTo(straggler + 1e-12);

            StragglerNotices.post(job, 0);
            r.steps(2);
            LiveEnergyReport.Summary back = r.live.summary();
            assertThat(back.switches()).hasSize(2);
            assertThat(back.inForce()).isEqualTo(fastest.inForce());
            assertFollows(back, r.plan);
            assertThat(back.replayedSeconds()).isCloseTo(fastest.plannedSeconds(), within(0.02 * fastest.plannedSeconds()));
            assertThat(r.log).anySatisfy(l -> assertThat(l).startsWith("straggler at ").contains("expected saving"))
                    .anySatisfy(l -> assertThat(l).startsWith("straggler gone"));
        }
    }

    @Test
    void withClocksToSetAutoProfilesEachClockInTurnThenDeploysTheMeasuredFrontier() throws Exception {
        PipelinePlan plan = plan();
        Model model = Models.gpt(new GptConfig(4, 4, 32, 8, 16, 8));
        MarkovSource data = new MarkovSource(16, 8, 8, 7, model.dataInput(), model.labelInput());
        // the simulated GPUs' clocks may be set, and their time line runs slower at a lower clock
        SimulatedGpus gpus = new SimulatedGpus(H100, plan.deviceCount(), System::nanoTime);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        List<Integer> set = Collections.synchronizedList(new ArrayList<>());
        try (BackendRunner runner = Backends.cpuPipeline(plan, 3); EnergyMonitor monitor = EnergyMonitor.manual(gpus, gpus::nanos)) {
            var setup = new LiveEnergyPlan.Setup(plan, (PipelineRuntime<?, ?>) runner.runner(), H100, gpus::clocks, true, monitor, gpus::fake,
                    d -> d, true, null, log::add, line -> set.add(gpus.clockMhz()));
            try (LiveEnergyPlan live = LiveEnergyPlan.start(setup, new EnergyPlanSource.Auto(2, 2, List.of(1005, 1980, 1500)))) {
                for (int step = 0; step < 13; step++) {
                    runner.step(data.batch(step));
                    live.afterStep();
                    if (step == 3) {
                        assertThat(gpus.clockMhz()).as("the sweep goes highest first").isEqualTo(1980);
                    }
                }
                LiveEnergyReport.Summary s = live.summary();
                assertThat(s.deployedAfterStep()).isEqualTo(12);
                assertThat(s.profiled()).hasSize(3 * 2 * STAGES);
                assertThat(s.profiled().stream().mapToInt(m -> m.frequencyMhz()).distinct().sorted().toArray()).containsExactly(1005, 1500, 1980);
                assertThat(s.basis()).contains("at 3 clocks, profiled in this run with the clocks set");
                double at1980 = s.profiled().stream().filter(m -> m.frequencyMhz() == 1980).mapToDouble(m -> m.timeSeconds()).sum();
                double at1005 = s.profiled().stream().filter(m -> m.frequencyMhz() == 1005).mapToDouble(m -> m.timeSeconds()).sum();
                assertThat(at1005).as("the passes' fake time runs slower at 1005 MHz").isGreaterThan(at1980);
                assertThat(s.frontierPoints()).isPositive();
                assertThat(log).anySatisfy(l -> assertThat(l).startsWith("profiling each stage's forward and backward at 3 clocks (1980, 1500, 1005 MHz)"));
            }
        }
        assertThat(gpus.clockMhz()).as("reset to the highest clock at the end").isEqualTo(H100.maxClockMhz());
    }

    @Test
    void clocksAreResetOnceWhenTheRunEndsAndTheDryRunSetsNothing() throws Exception {
        Run applied = new Run(true, null, -1);
        applied.steps(4);
        applied.close();
        assertThat(applied.clocks).allSatisfy(c -> {
            assertThat(c.set).isNotEmpty();
            assertThat(c.resets).isEqualTo(1);
        });
        Run dry = new Run(false, null, -1);
        dry.steps(4);
        dry.close();
        assertThat(dry.live.summary().lastHanded()).isNotNull();
        assertThat(dry.clocks).allSatisfy(c -> {
            assertThat(c.set).isEmpty();
            assertThat(c.resets).isZero();
        });
    }

    @Test
    void aRunThatFailsAtAnyStageResetsEveryClock() throws Exception {
        for (int failing = 0; failing < STAGES; failing++) {
            Run r = new Run(true, null, failing);
            int f = failing;
            assertThatThrownBy(() -> r.steps(6)).as("stage %d's clock fails", f).isInstanceOf(RuntimeException.class);
            r.close();
            assertThat(r.clocks).as("stage %d failed", f).allSatisfy(c -> assertThat(c.resets).isEqualTo(1));
        }
    }

    @Test
    void anErrorInTheStepResetsEveryClock() throws Exception {
        Run r = new Run(true, null, -1);
        r.steps(4);
        assertThatThrownBy(() -> r.runner.step(java.util.Map.of())).isInstanceOf(RuntimeException.class);
        r.close();
        assertThat(r.clocks).allSatisfy(c -> assertThat(c.resets).isEqualTo(1));
    }
}
