package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Alpa's inter-operator pass (REFERENCES §2): cluster the training graph into layers, cost every layer
 * range on every submesh and logical shape with the intra-op ILP, choose stages and submeshes by the
 * stage DP, put them on devices, and solve each chosen stage's ILP on its whole graph.
 */
public final class PipelinePlanner {
    private PipelinePlanner() {
    }

    /**
     * The best pipeline for {@code graph}, the training graph of one microbatch, run {@code microbatches}
     * times per iteration on all devices of {@code cluster}.
     */
    public static PipelinePlan plan(Graph graph, int microbatches, Cluster cluster, StageOptions options) {
        if (microbatches < 1) {
            throw new PlanningException("the number of microbatches must be at least 1, got " + microbatches);
        }
        long t0 = System.nanoTime();
        Graph g = DeadCodeElimination.apply(graph);
        if (!g.isTraining()) {
            throw new PlanningException("the graph has no optimizer update; a pipeline plans a training step");
        }
        int layers = options.layers() > 0 ? options.layers() : LayerClustering.autoLayers(g, options.epsilon());
        Layering layering = LayerClustering.cluster(g, layers, options.epsilon());
        List<Submesh> submeshes = options.submeshes().of(cluster);
        List<LogicalMesh> meshes = LogicalMesh.of(cluster, submeshes, options.logicalShapes());
        List<Profile> profiles = Profile.of(meshes, options.remat());
        PlannerOptions intra = intraOptions(options, microbatches);
        long budget = options.memoryBytes(cluster.gpu().memoryBytes());
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t1 = System.nanoTime();
            LayerProfiles layerProfiles = LayerProfiles.solve(layering, profiles, intra, pool);
            ProfileTable table = new ProfileTable(layerProfiles, submeshes, layers, budget);
            long t2 = System.nanoTime();
            StageDp.Solution sol = StageDp.solve(table, cluster.deviceCount(), microbatches, options.schedule());
            if (sol == null) {
                throw new PlanningException(String.format(Locale.ROOT,
                        "no pipeline of this model on %s fits in %.2f GiB per device; add devices, use more microbatches or raise the memory budget",
                        cluster, budget / (double) (1L << 30)));
            }
            long t3 = System.nanoTime();
            List<Submesh> chosen = sol.stages().stream().map(s -> submeshes.get(s.submesh())).toList();
            List<List<Integer>> devices = DeviceAllocation.place(cluster, chosen);
            List<StagePlacement> placements = new ArrayList<>();
            for (int i = 0; i < sol.stages().size(); i++) {
                StageDp.Stage s = sol.stages().get(i);
                int profile = table.profile(s.first(), s.last(), s.submesh(), s.inflight(), s.maxUpdate());
                LogicalMesh lm = profiles.get(profile).mesh();
                StageGraph sg = StageGraph.of(layering, s.first(), s.last());
                placements.add(new StagePlacement(s.first(), s.last(), lm.physical(),
                        DeviceMesh.over(cluster, lm.rows(), lm.cols(), devices.get(i)), profile,
                        profiles.get(profile).remat() ? sg.recomputed(layering) : sg));
            }
            StagePlans plans = stagePlans(placements, layerProfiles, intra, options, microbatches, budget, pool);
            long t4 = System.nanoTime();
            PipelineStats stats = new PipelineStats(layers, layerProfiles.typeCount(), meshes.size(), layerProfiles.ilpCount(), plans.solves(),
                    sol.runs(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t4 - t0) / 1e9);
            return PipelineAssembly.assemble("auto", cluster, layering, microbatches, options.schedule(), placements, plans.plans(),
                    budget, Optional.of(stats));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The best over several microbatch counts: {@code graphs.apply(m)} is the training graph of one of
     * m microbatches (the global batch divided by m).
     */
    public static PipelinePlan plan(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster, StageOptions options) {
        PipelinePlan best = null;
        for (int m : microbatchCounts) {
            PipelinePlan p;
            try {
                p = plan(graphs.apply(m), m, cluster, options);
            } catch (PlanningException e) {
                if (microbatchCounts.size() == 1) {
                    throw e;
                }
                continue;
            }
            if (best == null || p.iterationSeconds() < best.iterationSeconds()) {
                best = p;
            }
        }
        PipelinePlan megatron = megatronCandidate(graphs, microbatchCounts, cluster, options);
        if (megatron != null && (best == null || megatron.iterationSeconds() < best.iterationSeconds())) {
            best = megatron.chosenBy("auto: " + megatron.method(), best == null ? Optional.empty() : best.stats());
        }
        if (best == null) {
            throw new PlanningException("no pipeline fits with any of " + microbatchCounts + " microbatches; add devices or raise the memory budget");
        }
        return best;
    }

    /**
     * Megatron-LM's best dp x tp x pp plan, a candidate of the search: the stage DP sees layers as the
     * clustering forms them and prices a stage as its layers' plans side by side, so a plan that cuts
     * the model at its transformer layers, as Megatron's do, may fall outside what it compares. Null
     * when the model has no named layers or no Megatron plan fits.
     */
    private static PipelinePlan megatronCandidate(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster,
                                                  StageOptions options) {
        try {
            PipelinePlan m = MegatronPipeline.best(graphs, microbatchCounts, cluster, options);
            return m.fits() ? m : null;
        } catch (PlanningException e) {
            return null;
        }
    }

    /** The intra-op options of a stage: no ILP memory budget (stages are checked as a whole), once-per-iteration work weighted 1/B. */
    static PlannerOptions intraOptions(StageOptions options, int microbatches) {
        return options.intraOp().withoutMemoryBudget().withIterationWeight(1.0 / microbatches);
    }

    /**
     * Each stage's plan: its layers' plans side by side, or (refining) the ILP on the stage's whole graph
     * warm-started from the better of those and Megatron's plan; the refined plan is kept only if it is
     * faster per microbatch and still fits. Identical stages on identical meshes are solved once.
     */
    /** The plan of each stage, and how many stage ILPs were solved for them. */
    private record StagePlans(List<IntraOpPlan> plans, int solves) {
    }

    private static StagePlans stagePlans(List<StagePlacement> placements, LayerProfiles profiles, PlannerOptions intra,
                                         StageOptions options, int microbatches, long budget, ExecutorService pool) {
        int stages = placements.size();
        List<StageGraph> graphs = placements.stream().map(StagePlacement::graph).toList();
        List<IntraOpPlan> composed = new ArrayList<>();
        for (StagePlacement p : placements) {
            composed.add(profiles.composed(p.graph(), p.first(), p.last(), p.profile(), p.mesh(), intra));
        }
        if (!options.refineStages()) {
            return new StagePlans(composed, 0);
        }
        Map<List<Object>, Future<IntraOpPlan>> solved = new HashMap<>();
        List<Future<IntraOpPlan>> futures = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            StagePlacement p = placements.get(i);
            IntraOpPlan start = composed.get(i);
            Graph g = graphs.get(i).graph();
            int inflight = options.schedule().inflight(stages, microbatches, i);
            List<Object> key = List.of(GraphSignature.of(g), p.profile(), inflight);
            futures.add(solved.computeIfAbsent(key, k -> pool.submit(() -> refine(start, inflight, microbatches, budget, intra))));
        }
        List<IntraOpPlan> out = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            IntraOpPlan p = LayerProfiles.await(futures.get(i));
            if (!p.mesh().equals(placements.get(i).mesh())) {
                // the same stage solved on another placement of this logical mesh: same choices, this stage's devices
                StrategySpace space = StrategySpace.enumerate(graphs.get(i).graph(), placements.get(i).mesh(), intra);
                p = IntraOpPlan.of(p.method(), p.status(), space, p.choices().stream().mapToInt(Integer::intValue).toArray(), p.ilp());
            }
            out.add(p);
        }
        return new StagePlans(out, solved.size());
    }

    private static IntraOpPlan refine(IntraOpPlan composed, int inflight, int microbatches, long budget, PlannerOptions intra) {
        IntraOpPlan megatron = ManualPlans.dpMegatron(composed.graph(), composed.mesh(), intra);
        IntraOpPlan start = megatron.objective() < composed.objective() ? megatron : composed;
        IntraOpPlan solved = IntraOpPlanner.plan(composed.graph(), composed.mesh(), intra, start);
        return faster(faster(composed, megatron, inflight, microbatches, budget), solved, inflight, microbatches, budget);
    }

    /**
     * The better of two plans of one stage: one that fits over one that does not, else the lesser
     * t + u/B (its time per microbatch, and its once-per-iteration time shared by the B microbatches).
     */
    private static IntraOpPlan faster(IntraOpPlan a, IntraOpPlan b, int inflight, int microbatches, long budget) {
        StageCost ca = StageCost.of(a);
        StageCost cb = StageCost.of(b);
        boolean fitsA = ca.memoryBytes(inflight) <= budget;
        boolean fitsB = cb.memoryBytes(inflight) <= budget;
        if (fitsA != fitsB) {
            return fitsA ? a : b;
        }
        double ta = ca.microbatchSeconds() + ca.updateSeconds() / microbatches;
        double tb = cb.microbatchSeconds() + cb.updateSeconds() / microbatches;
        return tb < ta ? b : a;
    }
}
