package io.github.alpa4j.planner.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.GraphBuilder;
import io.github.alpa4j.ir.Init;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.Value;
import io.github.alpa4j.ir.autodiff.Autodiff;
import io.github.alpa4j.planner.Meshes;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.TinyModels;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.Link;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The inter-op pass end to end on small models: a consistent plan, and the DP's choice checked by brute force. */
class PipelinePlannerTest {
    /** Two hosts of four test GPUs: 10 µs and 100 GB/s inside a host, 20 µs and 10 GB/s between. */
    static final Cluster CLUSTER = new Cluster("test", 2, 4, Meshes.GPU, Link.of(10, 100), Link.of(20, 10));

    /**
     * Alpa's stage profiling: the DP plans with what the measurer says, not the cost model. Here stages on
     * one device measure 1000 times slower than the model says: the model's plan puts the 8 layers on the 8
     * devices one by one, the measured one shares devices among stages; its stages carry the measured times;
     * ranges of one structure are measured once.
     */
    @Test
    void measuredStagesReplaceTheCostModel() {
        Graph g = TinyModels.deepMlp(32, 256, 8);
        AtomicInteger calls = new AtomicInteger();
        StageMeasurer slowAlone = (plan, analytic) -> {
            calls.incrementAndGet();
            double f = plan.mesh().deviceCount() == 1 ? 1000 : 1;
            return new StageCost(f * analytic.forwardSeconds(), f * analytic.backwardSeconds(), f * analytic.updateSeconds(),
                    analytic.peakBytes(), analytic.activationBytes());
        };
        PipelinePlan analytic = PipelinePlanner.plan(g, 4, CLUSTER, StageOptions.defaults().toBuilder().layers(8).build());
        assertThat(analytic.stages()).allSatisfy(s -> assertThat(s.mesh().deviceCount()).isEqualTo(1));
        PipelinePlan p = PipelinePlanner.plan(g, 4, CLUSTER, StageOptions.defaults().toBuilder().layers(8).measurer(slowAlone).build());
        assertThat(p.method()).isEqualTo("auto (stages measured)");
        assertThat(p.stages()).allSatisfy(s -> assertThat(s.mesh().deviceCount()).isGreaterThan(1));
        for (PipelineStage s : p.stages()) {
            assertThat(s.cost().microbatchSeconds()).isCloseTo(StageCost.of(s.plan()).microbatchSeconds(), within(1e-15));
        }
        // 8 layers of a few structures: fewer measurements than the 36 ranges on each of the profiles
        int profiles = Profile.of(LogicalMesh.of(CLUSTER, StageOptions.defaults().submeshes().of(CLUSTER),
                StageOptions.defaults().logicalShapes())).size();
        assertThat(calls.get()).isLessThan(36 * profiles);
    }

    /**
     * The candidates the energy objective compares: the fastest is the plan the time objective returns, and
     * there is a candidate for every stage count and every microbatch count that has a pipeline.
     */
    @Test
    void candidatesCoverEveryStageAndMicrobatchCount() {
        Graph g = TinyModels.deepMlp(32, 256, 4);
        StageOptions o = StageOptions.defaults().toBuilder().layers(4).build();
        List<Integer> counts = List.of(2, 4);
        List<PipelinePlan> c = PipelinePlanner.candidates(m -> g, counts, CLUSTER, o, 1, PlanningProgress.NONE);
        PipelinePlan best = PipelinePlanner.plan(m -> g, counts, CLUSTER, o);
        assertThat(c.get(0).iterationSeconds()).isCloseTo(best.iterationSeconds(), within(1e-12));
        for (int i = 1; i < c.size(); i++) {
            assertThat(c.get(i).iterationSeconds()).isGreaterThanOrEqualTo(c.get(i - 1).iterationSeconds());
        }
        Set<Integer> stageCounts = new HashSet<>();
        Set<Integer> microbatches = new HashSet<>();
        for (PipelinePlan p : c) {
            stageCounts.add(p.stages().size());
            microbatches.add(p.microbatches());
            assertThat(p.deviceCount()).isEqualTo(8);
        }
        assertThat(stageCounts).containsAll(List.of(1, 2, 3, 4));
        assertThat(microbatches).containsExactlyInAnyOrderElementsOf(counts);
        assertThatThrownBy(() -> PipelinePlanner.candidates(m -> g, counts, CLUSTER, o, 0, PlanningProgress.NONE))
                .isInstanceOf(PlanningException.class);
    }

    @Test
    void planIsConsistent() {
        Graph g = TinyModels.deepMlp(32, 256, 6);
        PipelinePlan p = PipelinePlanner.plan(g, 4, CLUSTER, StageOptions.defaults());
        assertThat(p.graph().nodes()).isEqualTo(DeadCodeElimination.apply(g).nodes());
        int next = 0;
        Set<Integer> devices = new HashSet<>();
        double sum = 0;
        double max = 0;
        for (PipelineStage s : p.stages()) {
            assertThat(s.firstLayer()).isEqualTo(next);
            next = s.lastLayer() + 1;
            assertThat(s.plan().graph().nodes()).isEqualTo(s.graph().graph().nodes());
            assertThat(s.plan().mesh()).isEqualTo(s.mesh());
            assertThat(s.mesh().deviceCount()).isEqualTo(s.submesh().devices());
            for (int d : s.mesh().devices()) {
                assertThat(devices.add(d)).as("device %d used once", d).isTrue();
            }
            assertThat(s.inflight()).isEqualTo(Math.min(p.stages().size() - s.index(), 4));
            assertThat(s.memoryBytes()).isLessThanOrEqualTo(Meshes.GPU.memoryBytes());
            sum += s.microbatchSeconds();
            max = Math.max(max, s.microbatchSeconds());
        }
        assertThat(next).isEqualTo(p.layering().layerCount());
        assertThat(devices).hasSize(CLUSTER.deviceCount());
        assertThat(p.pipelineSeconds()).isCloseTo(sum + 3 * max, within(1e-12));
        assertThat(p.iterationSeconds()).isCloseTo(p.pipelineSeconds() + p.updateSeconds(), within(1e-12));
        assertThat(p.fits()).isTrue();
        // transfers go between the stages that produce and read them
        for (StageTransfer t : p.transfers()) {
            assertThat(p.stageOf(t.value())).isEqualTo(t.fromStage());
            assertThat(p.stages().get(t.toStage()).graph().received()).contains(t.value());
            assertThat(p.stages().get(t.fromStage()).graph().sent()).contains(t.value());
        }
        // the equal layers of the stack are planned once per logical mesh
        assertThat(p.stats().orElseThrow().layerTypes()).isLessThan(p.layering().layerCount());
    }

    @Test
    void everyPhaseIsReportedOnceInOrderWithItsUnitsAndTimed() {
        Graph g = TinyModels.deepMlp(32, 256, 6);
        List<String> begun = new ArrayList<>();
        List<Integer> units = new ArrayList<>();
        AtomicInteger steps = new AtomicInteger();
        List<Integer> stepsPerPhase = new ArrayList<>();
        PlanningProgress recorder = new PlanningProgress() {
            @Override
            public void begin(String phase, int n) {
                begun.add(phase);
                units.add(n);
                steps.set(0);
            }

            @Override
            public void step() {
                steps.incrementAndGet();
            }

            @Override
            public void end() {
                stepsPerPhase.add(steps.get());
            }
        };
        PipelinePlan p = PipelinePlanner.plan(g, 4, CLUSTER, StageOptions.defaults(), recorder);
        List<String> order = List.of(PipelineStats.CLUSTERING, PipelineStats.ILP_CONSTRUCTION, PipelineStats.ILP_SOLVING,
                PipelineStats.RANGE_COSTS, PipelineStats.STAGE_DP, PipelineStats.STAGE_ILPS);
        assertThat(begun).isEqualTo(order);
        assertThat(stepsPerPhase).hasSameSizeAs(order);
        PipelineStats st = p.stats().orElseThrow();
        for (int i = 0; i < order.size(); i++) {
            if (units.get(i) >= 0) {
                assertThat(stepsPerPhase.get(i)).as(order.get(i)).isEqualTo(units.get(i));
            }
        }
        assertThat(units.get(2)).isEqualTo(st.layerIlps());
        assertThat(units.get(5)).isEqualTo(st.stageIlps());
        assertThat(st.phases()).extracting(PhaseTime::name).isEqualTo(order);
        assertThat(st.phases()).allSatisfy(t -> assertThat(t.seconds()).isNotNegative());
        assertThat(st.phases().stream().mapToDouble(PhaseTime::seconds).sum()).isLessThanOrEqualTo(st.totalSeconds());
    }

    @Test
    void identicalStagesOnOneLogicalMeshShareTheirIlp() {
        // eight equal layers on eight devices of one kind: equal stages, one stage ILP for all of them
        Graph g = TinyModels.deepMlp(32, 256, 8);
        PipelinePlan p = PipelinePlanner.plan(g, 64, CLUSTER, StageOptions.defaults().withLayers(8));
        assertThat(p.stats().orElseThrow().stageIlps()).isLessThan(p.stages().size());
    }

    @Test
    void refiningStagesNeverSlowsThePlan() {
        Graph g = TinyModels.transformer(8, 32, 64, 4, 128);
        StageOptions o = StageOptions.defaults().withLayers(4).withEpsilon(1.0);
        PipelinePlan kept = PipelinePlanner.plan(g, 2, CLUSTER, o.withRefineStages(false));
        PipelinePlan refined = PipelinePlanner.plan(g, 2, CLUSTER, o);
        for (int i = 0; i < kept.stages().size(); i++) {
            PipelineStage a = kept.stages().get(i);
            PipelineStage b = refined.stages().get(i);
            assertThat(b.microbatchSeconds() + b.cost().updateSeconds() / 2)
                    .isLessThanOrEqualTo(a.microbatchSeconds() + a.cost().updateSeconds() / 2 + 1e-12);
        }
    }

    @Test
    void dpOnRealLayerCostsEqualsBruteForce() {
        // 6 layers, 8 devices: every stage partition and submesh assignment, as the issue asks
        Layering l = LayerClustering.cluster(DeadCodeElimination.apply(TinyModels.deepMlp(16, 128, 6)), 6, 0.5);
        List<Submesh> submeshes = SubmeshSpace.ALL.of(CLUSTER);
        List<Profile> profiles = Profile.of(LogicalMesh.of(CLUSTER, submeshes, LogicalShapeSpace.ALL));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            LayerProfiles lp = LayerProfiles.solve(l, profiles, PlannerOptions.defaults().withIterationWeight(0.25), pool);
            for (long budget : new long[] {Long.MAX_VALUE, 3L << 20}) {
                ProfileTable table = new ProfileTable(lp, submeshes, 6, budget);
                for (int microbatches : new int[] {1, 4, 16}) {
                    for (PipelineSchedule schedule : PipelineSchedule.values()) {
                        StageDp.Solution dp = StageDp.solve(table, 8, microbatches, schedule);
                        double brute = StageDpTest.bruteForce(table, 8, microbatches, schedule);
                        if (brute == Double.POSITIVE_INFINITY) {
                            assertThat(dp).isNull();
                        } else {
                            assertThat(dp.iterationSeconds()).as("B=%d %s budget %d", microbatches, schedule, budget)
                                    .isCloseTo(brute, within(brute * 1e-12));
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aBudgetNoStageMeetsIsReported() {
        StageOptions tiny = StageOptions.defaults().withMemoryBudgetBytes(1024);
        assertThatThrownBy(() -> PipelinePlanner.plan(TinyModels.deepMlp(16, 64, 3), 2, CLUSTER, tiny))
                .isInstanceOf(PlanningException.class)
                .hasMessageContaining("no pipeline of this model on test x 2")
                .hasMessageContaining("fits in 0.00 GiB per device");
    }

    @Test
    void aGraphWithoutUpdateIsNotATrainingStep() {
        assertThatThrownBy(() -> PipelinePlanner.plan(Autodiff.backward(forwardOf(), "loss"), 1, CLUSTER, StageOptions.defaults()))
                .isInstanceOf(PlanningException.class).hasMessageContaining("no optimizer update");
    }

    private static Graph forwardOf() {
        GraphBuilder b = new GraphBuilder();
        Value x = b.input("x", TensorType.f32(2, 2), SourceOp.InputKind.DATA);
        Value w = b.parameter("w", TensorType.f32(2, 2), Init.ones());
        b.output("loss", b.mse(b.matmul(x, w), x));
        return b.build();
    }
}
