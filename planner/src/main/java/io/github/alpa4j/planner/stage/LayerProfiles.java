package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.IntraOpPlanner;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.cost.Liveness;
import io.github.alpa4j.planner.cost.Resharding;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.plan.PlanStatus;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * t_intra of every (layer range, submesh, logical shape) (REFERENCES §2), from the intra-op ILP and the
 * cost model. Each layer's graph is planned in each {@link Profile} (the ILP, and Megatron's plans that
 * need less memory) on each logical mesh, once per distinct layer structure ({@link GraphSignature}: a
 * GPT's blocks share one solve), the solves running in parallel. A range of layers is costed as its
 * layers' plans side by side plus the resharding of every value one of its layers hands another, from the layout its producer's plan gives it to the layout the reader's
 * plan takes it in. That is (up to resharding in one step instead of two) the cost of a real plan of
 * the range's graph, which the final ILP on the chosen stage's whole graph starts from and can only
 * improve; solving every range of every mesh whole would take L²/2 times the solves.
 */
final class LayerProfiles {
    private final Layering layering;
    private final List<Profile> profiles;
    private final List<StageGraph> layerGraphs = new ArrayList<>();
    /** Each layer's graph rematerialised, for the profiles that recompute (empty when none does). */
    private final List<StageGraph> recomputedGraphs = new ArrayList<>();
    private final int[] typeOf;
    private final List<Integer> representative = new ArrayList<>();
    private final IntraOpPlan[][] plans;
    private final StageCost[][] costs;
    private final List<List<Transfer>> transfersInto;
    private final StageCost[][][] ranges;

    /** Value {@code value} of layer {@code from} read in layer {@code to}; costs per profile. */
    private record Transfer(int value, int from, int to, Phase phase, double[] cost) {
    }

    private LayerProfiles(Layering layering, List<Profile> profiles, PlannerOptions options, ExecutorService pool,
                          PlanningProgress phases, StageMeasurer measurer) {
        this.layering = layering;
        this.profiles = profiles;
        int layers = layering.layerCount();
        this.typeOf = new int[layers];
        Map<List<Object>, Integer> types = new HashMap<>();
        for (int l = 0; l < layers; l++) {
            StageGraph g = StageGraph.of(layering, l, l);
            layerGraphs.add(g);
            if (profiles.stream().anyMatch(Profile::remat)) {
                recomputedGraphs.add(g.recomputed(layering));
            }
            int layer = l;
            typeOf[l] = types.computeIfAbsent(GraphSignature.of(g.graph()), k -> {
                representative.add(layer);
                return representative.size() - 1;
            });
        }
        this.plans = new IntraOpPlan[representative.size()][profiles.size()];
        this.costs = new StageCost[representative.size()][profiles.size()];
        solveAll(options, pool, phases);
        phases.begin(PipelineStats.RANGE_COSTS, -1);
        this.transfersInto = transfers();
        this.ranges = compose();
        phases.end();
        if (measurer != null) {
            measure(measurer, options, phases);
        }
    }

    /** Plans every distinct layer in every profile, the ILPs on {@code pool}'s threads. */
    static LayerProfiles solve(Layering layering, List<Profile> profiles, PlannerOptions options, ExecutorService pool) {
        return solve(layering, profiles, options, pool, PlanningProgress.NONE);
    }

    /**
     * As {@link #solve(Layering, List, PlannerOptions, ExecutorService)}, in phases told to {@code phases}: built (with
     * Megatron's plans) in phase {@link PipelineStats#ILP_CONSTRUCTION}, solved in {@link PipelineStats#ILP_SOLVING},
     * then the range costs in {@link PipelineStats#RANGE_COSTS}.
     */
    static LayerProfiles solve(Layering layering, List<Profile> profiles, PlannerOptions options, ExecutorService pool,
                               PlanningProgress phases) {
        return new LayerProfiles(layering, profiles, options, pool, phases, null);
    }

    /**
     * As {@link #solve(Layering, List, PlannerOptions, ExecutorService, PlanningProgress)}, then every range on
     * every profile measured by {@code measurer} (Alpa's stage profiling) in phase {@link PipelineStats#STAGE_PROFILING}.
     */
    static LayerProfiles solve(Layering layering, List<Profile> profiles, PlannerOptions options, ExecutorService pool,
                               PlanningProgress phases, StageMeasurer measurer) {
        return new LayerProfiles(layering, profiles, options, pool, phases, measurer);
    }

    int typeCount() {
        return representative.size();
    }

    int ilpCount() {
        return representative.size() * (int) profiles.stream().filter(p -> p.method() == PlanMethod.AUTO).count();
    }

    List<Profile> profiles() {
        return profiles;
    }

    /** The cost of layers {@code first..last} as one stage in profile {@code profile}. */
    StageCost range(int first, int last, int profile) {
        return ranges[profile][first][last - first];
    }

    private void solveAll(PlannerOptions options, ExecutorService pool, PlanningProgress phases) {
        // one task per layer type, logical mesh and recomputation: the strategies are enumerated once for the ILP and
        // Megatron's plans of one layer graph on one mesh
        List<Integer> meshStarts = new ArrayList<>();
        for (int m = 0; m < profiles.size(); m++) {
            if (m == 0 || !profiles.get(m).mesh().equals(profiles.get(m - 1).mesh())
                    || profiles.get(m).remat() != profiles.get(m - 1).remat()) {
                meshStarts.add(m);
            }
        }
        List<int[]> tasks = new ArrayList<>();
        for (int t = 0; t < representative.size(); t++) {
            for (int i = 0; i < meshStarts.size(); i++) {
                int end = i + 1 < meshStarts.size() ? meshStarts.get(i + 1) : profiles.size();
                tasks.add(new int[] {t, meshStarts.get(i), end});
            }
        }
        // the largest meshes take longest: start them first so that the threads finish together
        tasks.sort((a, b) -> Integer.compare(devices(b), devices(a)));
        phases.begin(PipelineStats.ILP_CONSTRUCTION, tasks.size());
        List<Future<List<Object>>> built = new ArrayList<>();
        for (int[] task : tasks) {
            Graph g = layerGraph(representative.get(task[0]), task[1]).graph();
            DeviceMesh mesh = profiles.get(task[1]).mesh().costMesh();
            built.add(pool.submit(() -> {
                StrategySpace space = StrategySpace.enumerate(g, mesh, options);
                // per profile of this mesh: an ILP to solve next, or Megatron's plan, which needs no solver
                List<Object> r = new ArrayList<>();
                for (int m = task[1]; m < task[2]; m++) {
                    PlanMethod method = profiles.get(m).method();
                    r.add(method == PlanMethod.AUTO ? IntraOpPlanner.prepare(space, null) : ManualPlans.of(method, space));
                }
                phases.step();
                return r;
            }));
        }
        List<Object> ready = new ArrayList<>();
        for (Future<List<Object>> f : built) {
            ready.addAll(await(f));
        }
        phases.begin(PipelineStats.ILP_SOLVING, (int) ready.stream().filter(r -> r instanceof IntraOpPlanner.Prepared).count());
        List<Future<IntraOpPlan>> solved = new ArrayList<>();
        for (Object r : ready) {
            solved.add(r instanceof IntraOpPlanner.Prepared p
                    ? pool.submit(() -> {
                        IntraOpPlan plan = p.solve();
                        phases.step();
                        return plan;
                    })
                    : CompletableFuture.completedFuture((IntraOpPlan) r));
        }
        int k = 0;
        for (int[] task : tasks) {
            for (int m = task[1]; m < task[2]; m++) {
                IntraOpPlan p = await(solved.get(k++));
                plans[task[0]][m] = p;
                costs[task[0]][m] = StageCost.of(p);
            }
        }
        phases.end();
    }

    /** Layer {@code l}'s graph as profile {@code profile} runs it: rematerialised or not. */
    private StageGraph layerGraph(int l, int profile) {
        return (profiles.get(profile).remat() ? recomputedGraphs : layerGraphs).get(l);
    }

    private int devices(int[] task) {
        return profiles.get(task[1]).mesh().physical().devices();
    }

    static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while planning", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Every value a layer receives from another layer, listed under the later of the two, with its resharding cost per mesh. */
    private List<List<Transfer>> transfers() {
        List<List<Transfer>> into = new ArrayList<>();
        for (int l = 0; l < layerGraphs.size(); l++) {
            into.add(new ArrayList<>());
        }
        Graph g = layering.graph();
        for (int to = 0; to < layerGraphs.size(); to++) {
            for (int v : layerGraphs.get(to).received()) {
                int from = layering.layer(v);
                if (from == Layering.REPLICATED) {
                    continue;
                }
                double[] cost = new double[profiles.size()];
                for (int m = 0; m < profiles.size(); m++) {
                    IntraOpPlan src = plans[typeOf[from]][m];
                    IntraOpPlan dst = plans[typeOf[to]][m];
                    cost[m] = Resharding.between(src.outputSpec(layerGraph(from, m).local(v)),
                            dst.outputSpec(layerGraph(to, m).local(v)), g.node(v).type(), profiles.get(m).mesh().costMesh()).cost();
                }
                into.get(Math.max(from, to)).add(new Transfer(v, from, to, g.node(v).phase(), cost));
            }
        }
        return into;
    }

    /**
     * Replaces every range's cost by a measurement of its plan (the layers' plans side by side, as the
     * stage DP prices it): ranges of one structure on one profile are measured once (a GPT's blocks 1-2
     * and 2-3 are the same stage), one after another so that measurements do not share the machine.
     */
    private void measure(StageMeasurer measurer, PlannerOptions options, PlanningProgress phases) {
        int layers = layerGraphs.size();
        phases.begin(PipelineStats.STAGE_PROFILING, profiles.size() * layers * (layers + 1) / 2);
        Map<List<Object>, StageCost> measured = new HashMap<>();
        for (int m = 0; m < profiles.size(); m++) {
            for (int i = 0; i < layers; i++) {
                for (int j = i; j < layers; j++) {
                    StageGraph whole = StageGraph.of(layering, i, j);
                    StageGraph stage = profiles.get(m).remat() ? whole.recomputed(layering) : whole;
                    int profile = m;
                    int first = i;
                    int last = j;
                    StageCost analytic = ranges[m][i][j - i];
                    ranges[m][i][j - i] = measured.computeIfAbsent(List.of(GraphSignature.of(stage.graph()), m), k -> measurer.measure(
                            composed(stage, first, last, profile, profiles.get(profile).mesh().costMesh(), options), analytic));
                    phases.step();
                }
            }
        }
        phases.end();
    }

    /** ranges[profile][first][last - first], built by adding one layer at a time. */
    private StageCost[][][] compose() {
        int layers = layerGraphs.size();
        StageCost[][][] r = new StageCost[profiles.size()][layers][];
        for (int m = 0; m < profiles.size(); m++) {
            for (int i = 0; i < layers; i++) {
                r[m][i] = new StageCost[layers - i];
                StageCost c = costs[typeOf[i]][m];
                r[m][i][0] = c;
                for (int j = i + 1; j < layers; j++) {
                    double[] phase = new double[3];
                    for (Transfer t : transfersInto.get(j)) {
                        if (Math.min(t.from(), t.to()) >= i) {
                            phase[t.phase().ordinal()] += t.cost()[m];
                        }
                    }
                    c = c.then(costs[typeOf[j]][m], phase[0], phase[1], phase[2]);
                    r[m][i][j - i] = c;
                }
            }
        }
        withRangeMemory(r);
        return r;
    }

    /**
     * Replaces each range's memory (the layers' peaks added, {@link StageCost#then}) by the memory of its
     * plan, the layers' plans side by side on the range's graph: the peak of the bytes held at once and
     * the activations stashed, as {@link StageCost#of} finds them on {@link #composed}. Adding the layers'
     * peaks would count every layer's transient peak (its backward pass's temporaries, its recomputed
     * forward values) as if all were held at once, and the activations of a value read by a later layer
     * in both layers' plans.
     */
    private void withRangeMemory(StageCost[][][] r) {
        int layers = layerGraphs.size();
        boolean plain = profiles.stream().anyMatch(p -> !p.remat());
        boolean remat = profiles.stream().anyMatch(Profile::remat);
        String[] shape = layerShapes();
        // ranges of one shape (the same layer types reading the same relative layers: a model's repeated
        // blocks) hold the same bytes; each shape's sweep is done once
        java.util.Map<String, long[][]> known = new java.util.HashMap<>();
        for (int i = 0; i < layers; i++) {
            for (int j = i; j < layers; j++) {
                String key = String.join(";", java.util.Arrays.asList(shape).subList(i, j + 1));
                long[][] memory = known.get(key);
                if (memory != null) {
                    for (int m = 0; m < profiles.size(); m++) {
                        r[m][i][j - i] = r[m][i][j - i].withMemory(memory[m][0], memory[m][1]);
                    }
                    continue;
                }
                memory = new long[profiles.size()][];
                known.put(key, memory);
                StageGraph whole = StageGraph.of(layering, i, j);
                StageGraph recomputed = remat ? whole.recomputed(layering) : null;
                Liveness wholeLive = plain ? Liveness.of(whole.graph()) : null;
                Liveness recomputedLive = remat ? Liveness.of(recomputed.graph()) : null;
                for (int m = 0; m < profiles.size(); m++) {
                    boolean rm = profiles.get(m).remat();
                    StageGraph stage = rm ? recomputed : whole;
                    Graph g = stage.graph();
                    long[] bytes = new long[g.size()];
                    long activations = 0;
                    for (Node n : g.nodes()) {
                        int[] at = layerNode(stage, i, j, m, n.id());
                        bytes[n.id()] = plans[typeOf[at[0]]][m].strategy(at[1]).memoryBytes();
                        if (StageCost.stashed(g, n)) {
                            activations += bytes[n.id()];
                        }
                    }
                    long peak = (rm ? recomputedLive : wholeLive).peakBytes(bytes);
                    memory[m] = new long[] {peak, activations};
                    r[m][i][j - i] = r[m][i][j - i].withMemory(peak, activations);
                }
            }
        }
    }

    /**
     * Each layer's shape for {@link #withRangeMemory}: its type and, for every value it reads from another
     * layer, how many layers back that layer is (values of no layer marked apart).
     */
    private String[] layerShapes() {
        String[] out = new String[layerGraphs.size()];
        for (int l = 0; l < out.length; l++) {
            StageGraph lg = layerGraph(l, 0);
            java.util.TreeSet<Integer> back = new java.util.TreeSet<>();
            for (Node n : lg.graph().nodes()) {
                int from = layering.layer(lg.original(n.id()));
                if (from != l) {
                    back.add(from < 0 ? Integer.MIN_VALUE : l - from);
                }
            }
            out[l] = typeOf[l] + ":" + back;
        }
        return out;
    }

    /**
     * The layer of {@code first..last} whose plan decides node {@code n} of stage graph {@code stage} in profile
     * {@code profile}, and the node's id in that layer's graph: its own layer, or for a value of another stage or
     * a replicated node, the first layer of the range that holds it.
     */
    private int[] layerNode(StageGraph stage, int first, int last, int profile, int n) {
        int v = stage.original(n);
        int layer = layering.layer(v);
        if (layer < first || layer > last) {
            layer = -1;
            for (int l = first; l <= last && layer < 0; l++) {
                if (layerGraph(l, profile).local(v) >= 0) {
                    layer = l;
                }
            }
        }
        StageGraph lg = layerGraph(layer, profile);
        return new int[] {layer, stage.isRecomputed(n) ? lg.recomputedLocal(v) : lg.local(v)};
    }

    /**
     * The plan of stage graph {@code stage} (layers {@code first..last}) on {@code mesh}, a placement of
     * profile {@code profile}'s logical mesh: each node takes the strategy its layer's plan gives it
     * (strategy lists depend only on a node's op and types and the mesh's shape and links, so indices
     * carry over).
     */
    IntraOpPlan composed(StageGraph stage, int first, int last, int profile, DeviceMesh mesh, PlannerOptions options) {
        Graph g = stage.graph();
        int[] choice = new int[g.size()];
        for (Node n : g.nodes()) {
            int[] at = layerNode(stage, first, last, profile, n.id());
            choice[n.id()] = plans[typeOf[at[0]]][profile].choices().get(at[1]);
        }
        StrategySpace space = StrategySpace.enumerate(g, mesh, options);
        PlanMethod method = profiles.get(profile).method();
        return IntraOpPlan.of(method.flag(), method == PlanMethod.AUTO ? PlanStatus.FEASIBLE : PlanStatus.MANUAL, space, choice,
                Optional.empty());
    }
}
