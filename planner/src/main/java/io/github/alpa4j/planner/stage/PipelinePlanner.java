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
        return plan(graph, microbatches, cluster, options, PlanningProgress.NONE);
    }

    /** As {@link #plan(Graph, int, Cluster, StageOptions)}, telling {@code progress} each phase and unit of work. */
    public static PipelinePlan plan(Graph graph, int microbatches, Cluster cluster, StageOptions options, PlanningProgress progress) {
        return plan(m -> graph, List.of(microbatches), cluster, options, progress);
    }

    /**
     * The best over several microbatch counts: {@code graphs.apply(m)} is the training graph of one of
     * m microbatches (the global batch divided by m).
     */
    public static PipelinePlan plan(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster, StageOptions options) {
        return plan(graphs, microbatchCounts, cluster, options, PlanningProgress.NONE);
    }

    /**
     * As {@link #plan(IntFunction, List, Cluster, StageOptions)}, telling {@code progress} each phase and unit
     * of work. The plan's stats count the work and time of every microbatch count tried (not the time
     * {@code graphs} takes).
     */
    public static PipelinePlan plan(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster, StageOptions options,
                                    PlanningProgress progress) {
        PhaseClock clock = new PhaseClock(progress);
        PipelinePlan best = null;
        PipelineStats work = null;
        double seconds = 0;
        for (int m : microbatchCounts) {
            long t0 = System.nanoTime();
            long building = 0;
            PipelinePlan p;
            try {
                Graph graph = graphs.apply(m);
                building = System.nanoTime() - t0;
                p = planOne(graph, m, cluster, options, clock);
            } catch (PlanningException e) {
                if (microbatchCounts.size() == 1) {
                    throw e;
                }
                continue;
            } finally {
                clock.end();
                seconds += (System.nanoTime() - t0 - building) / 1e9;
            }
            PipelineStats s = p.stats().orElseThrow();
            work = work == null ? s : work.plus(s);
            if (best == null || p.iterationSeconds() < best.iterationSeconds()) {
                best = p;
            }
        }
        long t0 = System.nanoTime();
        // measured stages are not comparable with Megatron's costed ones
        PipelinePlan megatron = options.measurer() == null ? megatronCandidate(graphs, microbatchCounts, cluster, options) : null;
        seconds += (System.nanoTime() - t0) / 1e9;
        if (best == null) {
            throw new PlanningException("no pipeline fits with any of " + microbatchCounts + " microbatches; add devices or raise the memory budget");
        }
        PipelineStats own = best.stats().orElseThrow();
        PipelineStats stats = new PipelineStats(own.layers(), own.layerTypes(), own.logicalMeshes(), work.microbatchCounts(),
                work.layerIlps(), work.stageIlps(), work.dpRuns(), clock.phases(), seconds);
        if (megatron != null && megatron.iterationSeconds() < best.iterationSeconds()) {
            return megatron.chosenBy("auto: " + megatron.method(), Optional.of(stats));
        }
        return best.withStats(stats);
    }

    /** The best pipeline for one microbatch count; its stats count its own work (their times are the clock's). */
    private static PipelinePlan planOne(Graph graph, int microbatches, Cluster cluster, StageOptions options, PhaseClock clock) {
        ExecutorService pool = pool(options);
        try {
            Costed c = cost(graph, microbatches, cluster, options, clock, pool);
            clock.begin(PipelineStats.STAGE_DP, -1);
            StageDp.Solution sol = StageDp.solve(c.table(), cluster.deviceCount(), microbatches, options.schedule());
            if (sol == null) {
                throw c.noFit(cluster);
            }
            return assemble(c, sol, sol.runs(), cluster, options, clock, pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ExecutorService pool(StageOptions options) {
        return Executors.newFixedThreadPool(options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors());
    }

    /** One microbatch count's layers and every layer range's cost on every submesh: what the stage DP reads. */
    private record Costed(int microbatches, int layers, Layering layering, List<Submesh> submeshes, List<LogicalMesh> meshes,
                          List<Profile> profiles, PlannerOptions intra, long budget, LayerProfiles layerProfiles, ProfileTable table) {
        PlanningException noFit(Cluster cluster) {
            return new PlanningException(String.format(Locale.ROOT,
                    "no pipeline of this model on %s fits in %.2f GiB per device; add devices, use more microbatches or raise the memory budget",
                    cluster, budget / (double) (1L << 30)));
        }
    }

    private static Costed cost(Graph graph, int microbatches, Cluster cluster, StageOptions options, PhaseClock clock, ExecutorService pool) {
        if (microbatches < 1) {
            throw new PlanningException("the number of microbatches must be at least 1, got " + microbatches);
        }
        clock.begin(PipelineStats.CLUSTERING, -1);
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
        LayerProfiles layerProfiles = LayerProfiles.solve(layering, profiles, intra, pool, clock, options.measurer());
        ProfileTable table = new ProfileTable(layerProfiles, submeshes, layers, budget);
        return new Costed(microbatches, layers, layering, submeshes, meshes, profiles, intra, budget, layerProfiles, table);
    }

    /** The pipeline of a DP solution: stages placed on devices, each stage's plan solved; its stats count its own work. */
    private static PipelinePlan assemble(Costed c, StageDp.Solution sol, int dpRuns, Cluster cluster, StageOptions options, PhaseClock clock,
                                         ExecutorService pool) {
        List<Submesh> chosen = sol.stages().stream().map(s -> c.submeshes().get(s.submesh())).toList();
        List<List<Integer>> devices = DeviceAllocation.place(cluster, chosen);
        List<StagePlacement> placements = new ArrayList<>();
        for (int i = 0; i < sol.stages().size(); i++) {
            StageDp.Stage s = sol.stages().get(i);
            int profile = c.table().profile(s.first(), s.last(), s.submesh(), s.inflight(), s.maxUpdate());
            LogicalMesh lm = c.profiles().get(profile).mesh();
            StageGraph sg = StageGraph.of(c.layering(), s.first(), s.last());
            placements.add(new StagePlacement(s.first(), s.last(), lm.physical(),
                    DeviceMesh.over(cluster, lm.rows(), lm.cols(), devices.get(i)), profile,
                    c.profiles().get(profile).remat() ? sg.recomputed(c.layering()) : sg));
        }
        StagePlans plans = stagePlans(placements, c.layerProfiles(), c.intra(), options, c.microbatches(), c.budget(), pool, clock);
        PipelineStats stats = new PipelineStats(c.layers(), c.layerProfiles().typeCount(), c.meshes().size(), 1, c.layerProfiles().ilpCount(),
                plans.solves(), dpRuns, List.of(), 0);
        StageMeasurer m = options.measurer();
        Map<List<Object>, StageCost> measured = new HashMap<>();
        java.util.function.Function<IntraOpPlan, StageCost> cost = m == null ? StageCost::of
                : p -> measured.computeIfAbsent(List.of(GraphSignature.of(p.graph()), p.mesh().rows(), p.mesh().cols()),
                        k -> m.measure(p, StageCost.of(p)));
        return PipelineAssembly.assemble(m == null ? "auto" : "auto (stages measured)", cluster, c.layering(), c.microbatches(),
                options.schedule(), placements, plans.plans(), c.budget(), Optional.of(stats), cost);
    }

    /**
     * Candidate pipelines for a choice on more than time (the energy objective): for every microbatch count
     * and every stage count, the stage DP's best pipeline with exactly that many stages; of those the
     * {@code keep} fastest by the DP's time, the fastest of each stage count and the fastest of each
     * microbatch count are assembled (their stages placed and solved as {@link #plan} does), together with
     * Megatron's best plan when it fits. Fastest first: the first is the plan {@link #plan} returns, unless
     * refining a stage's plan reorders two candidates. Every plan carries the stats of the whole search.
     */
    public static List<PipelinePlan> candidates(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster,
                                                StageOptions options, int keep, PlanningProgress progress) {
        if (keep < 1) {
            throw new PlanningException("keep at least one candidate pipeline, got " + keep);
        }
        PhaseClock clock = new PhaseClock(progress);
        ExecutorService pool = pool(options);
        long t0 = System.nanoTime();
        long building = 0;
        try {
            List<Costed> costed = new ArrayList<>();
            List<Found> found = new ArrayList<>();
            PlanningException last = null;
            int runs = 0;
            for (int m : microbatchCounts) {
                long b0 = System.nanoTime();
                Graph graph = graphs.apply(m);
                building += System.nanoTime() - b0;
                Costed c;
                try {
                    c = cost(graph, m, cluster, options, clock, pool);
                } catch (PlanningException e) {
                    last = e;
                    clock.end();
                    continue;
                }
                clock.begin(PipelineStats.STAGE_DP, -1);
                costed.add(c);
                for (int s = 1; s <= StageDp.maxStages(c.layers(), cluster.deviceCount()); s++) {
                    StageDp.Solution sol = StageDp.solve(c.table(), cluster.deviceCount(), m, options.schedule(), s);
                    if (sol != null) {
                        runs += sol.runs();
                        found.add(new Found(costed.size() - 1, s, sol));
                    }
                }
                clock.end();
            }
            if (found.isEmpty()) {
                if (last != null && microbatchCounts.size() == 1) {
                    throw last;
                }
                throw costed.isEmpty() ? new PlanningException("no pipeline fits with any of " + microbatchCounts
                        + " microbatches; add devices or raise the memory budget") : costed.get(0).noFit(cluster);
            }
            List<Found> kept = keep(found, keep);
            List<PipelinePlan> out = new ArrayList<>();
            PipelineStats work = null;
            for (Found f : kept) {
                PipelinePlan p = assemble(costed.get(f.costed()), f.solution(), f.solution().runs(), cluster, options, clock, pool);
                clock.end();
                out.add(p);
                work = work == null ? p.stats().orElseThrow() : work.plus(p.stats().orElseThrow());
            }
            PipelinePlan megatron = options.measurer() == null ? megatronCandidate(graphs, microbatchCounts, cluster, options) : null;
            if (megatron != null) {
                out.add(megatron.chosenBy("auto: " + megatron.method(), Optional.empty()));
            }
            out.sort(java.util.Comparator.comparingDouble(PipelinePlan::iterationSeconds));
            double seconds = (System.nanoTime() - t0 - building) / 1e9;
            PipelineStats own = out.get(0).stats().orElse(work);
            int layerIlps = costed.stream().mapToInt(c -> c.layerProfiles().ilpCount()).sum();
            PipelineStats stats = new PipelineStats(own.layers(), own.layerTypes(), own.logicalMeshes(), costed.size(),
                    layerIlps, work.stageIlps(), runs, clock.phases(), seconds);
            return out.stream().map(p -> p.withStats(stats)).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    /** A DP solution with exactly {@code stages} stages for the microbatch count of {@code costed}. */
    private record Found(int costed, int stages, StageDp.Solution solution) {
    }

    /** The {@code keep} fastest, the fastest of each stage count and the fastest of each microbatch count. */
    private static List<Found> keep(List<Found> found, int keep) {
        List<Found> byTime = new ArrayList<>(found);
        byTime.sort(java.util.Comparator.comparingDouble(f -> f.solution().iterationSeconds()));
        java.util.LinkedHashSet<Found> kept = new java.util.LinkedHashSet<>(byTime.subList(0, Math.min(keep, byTime.size())));
        Map<Integer, Found> perStages = new HashMap<>();
        Map<Integer, Found> perCount = new HashMap<>();
        for (Found f : byTime) {
            perStages.putIfAbsent(f.stages(), f);
            perCount.putIfAbsent(f.costed(), f);
        }
        kept.addAll(perStages.values());
        kept.addAll(perCount.values());
        return byTime.stream().filter(kept::contains).toList();
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

    /** The plan of each stage, and how many stage ILPs were solved for them. */
    private record StagePlans(List<IntraOpPlan> plans, int solves) {
    }

    /** A stage's Megatron plan and its ILP's plan (warm-started from the better of Megatron's and its layers' plans). */
    private record Refined(IntraOpPlan megatron, IntraOpPlan solved) {
    }

    /**
     * Each stage's plan: its layers' plans side by side, or (refining) the ILP on the stage's whole graph
     * warm-started from the better of those and Megatron's plan; the refined plan is kept only if it is
     * faster per microbatch and still fits its stage's microbatches in flight. Identical stages on one
     * logical mesh are solved once (their microbatches in flight matter only to that choice).
     */
    private static StagePlans stagePlans(List<StagePlacement> placements, LayerProfiles profiles, PlannerOptions intra,
                                         StageOptions options, int microbatches, long budget, ExecutorService pool,
                                         PlanningProgress phases) {
        int stages = placements.size();
        List<StageGraph> graphs = placements.stream().map(StagePlacement::graph).toList();
        List<List<Object>> keys = new ArrayList<>();
        for (int i = 0; options.refineStages() && i < stages; i++) {
            keys.add(List.of(GraphSignature.of(graphs.get(i).graph()), placements.get(i).profile()));
        }
        phases.begin(PipelineStats.STAGE_ILPS, options.refineStages() ? (int) keys.stream().distinct().count() : -1);
        List<IntraOpPlan> composed = new ArrayList<>();
        for (StagePlacement p : placements) {
            composed.add(profiles.composed(p.graph(), p.first(), p.last(), p.profile(), p.mesh(), intra));
        }
        if (!options.refineStages()) {
            return new StagePlans(composed, 0);
        }
        Map<List<Object>, Future<Refined>> solved = new HashMap<>();
        List<Future<Refined>> futures = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            IntraOpPlan start = composed.get(i);
            futures.add(solved.computeIfAbsent(keys.get(i), k -> pool.submit(() -> {
                Refined r = refine(start, intra);
                phases.step();
                return r;
            })));
        }
        List<IntraOpPlan> out = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            Refined r = LayerProfiles.await(futures.get(i));
            int inflight = options.schedule().inflight(stages, microbatches, i);
            IntraOpPlan p = faster(faster(composed.get(i), r.megatron(), inflight, microbatches, budget), r.solved(), inflight,
                    microbatches, budget);
            if (!p.mesh().equals(placements.get(i).mesh())) {
                // the same stage solved on another placement of this logical mesh: same choices, this stage's devices
                StrategySpace space = StrategySpace.enumerate(graphs.get(i).graph(), placements.get(i).mesh(), intra);
                p = IntraOpPlan.of(p.method(), p.status(), space, p.choices().stream().mapToInt(Integer::intValue).toArray(), p.ilp());
            }
            out.add(p);
        }
        return new StagePlans(out, solved.size());
    }

    private static Refined refine(IntraOpPlan composed, PlannerOptions intra) {
        IntraOpPlan megatron = ManualPlans.dpMegatron(composed.graph(), composed.mesh(), intra);
        IntraOpPlan start = megatron.objective() < composed.objective() ? megatron : composed;
        return new Refined(megatron, IntraOpPlanner.plan(composed.graph(), composed.mesh(), intra, start));
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
