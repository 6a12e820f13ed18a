package io.github.alpa4j.planner.stage;

import io.github.alpa4j.ir.DeadCodeElimination;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.PlanMethod;
import io.github.alpa4j.planner.PlannerOptions;
import io.github.alpa4j.planner.PlanningException;
import io.github.alpa4j.planner.cluster.Cluster;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import io.github.alpa4j.planner.manual.ManualPlans;
import io.github.alpa4j.planner.plan.IntraOpPlan;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Megatron-LM's 3-D parallelism as a pipeline plan, for comparison with the automatic one under the same
 * cost model: pp stages of equally many of the model's named layers ({@link NamedLayers}), each on
 * dp x tp consecutive devices (tensor ranks innermost, then data, then pipeline, as Megatron orders its
 * ranks) viewed as a logical (dp, tp) mesh, planned by {@link ManualPlans#dpMegatron}.
 */
public final class MegatronPipeline {
    /** tp may be left out (pipeline + data parallelism, tp = 1). */
    private static final Pattern SPEC = Pattern.compile("megatron:dp=(\\d+)(?:,tp=(\\d+))?,pp=(\\d+)(,zero=([01]))?");
    /** Grid points whose estimates are best are planned exactly; the best of those wins. */
    private static final int EXACT = 3;

    private MegatronPipeline() {
    }

    /**
     * Data, tensor and pipeline parallel degrees; {@code zero}: optimizer states (and in mixed precision the
     * master weights) sharded over the data-parallel ranks, as Megatron's {@code --use-distributed-optimizer}.
     */
    public record Degrees(int dp, int tp, int pp, boolean zero) {
        public Degrees(int dp, int tp, int pp) {
            this(dp, tp, pp, false);
        }

        public int devices() {
            return dp * tp * pp;
        }

        @Override
        public String toString() {
            return "megatron dp=" + dp + ",tp=" + tp + ",pp=" + pp + (zero ? ",zero=1" : "");
        }
    }

    /** Parses {@code megatron:dp=2,tp=4,pp=8}, optionally {@code ,zero=1}; anything else is a user error. */
    public static Degrees parse(String spec) {
        Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) {
            throw new PlanningException("cannot read '" + spec + "'; write megatron:dp=D,tp=T,pp=P such as megatron:dp=2,tp=4,pp=8"
                    + " (and ,zero=1 to shard optimizer states over dp)");
        }
        try {
            Degrees d = new Degrees(Integer.parseInt(m.group(1)), m.group(2) == null ? 1 : Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    "1".equals(m.group(5)));
            if (d.dp() < 1 || d.tp() < 1 || d.pp() < 1) {
                throw new PlanningException("'" + spec + "': dp, tp and pp must be at least 1");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new PlanningException("'" + spec + "': degrees too large");
        }
    }

    /** The Megatron plan with degrees {@code d} for the training graph of one of {@code microbatches} microbatches. */
    public static PipelinePlan plan(Graph graph, int microbatches, Cluster cluster, Degrees d, StageOptions options) {
        Graph g = DeadCodeElimination.apply(graph);
        Layering layering = NamedLayers.of(g);
        check(d, cluster, layering.layerCount(), g, microbatches);
        PlannerOptions intra = PipelinePlanner.intraOptions(options, microbatches);
        long budget = options.memoryBytes(cluster.gpu().memoryBytes());
        int perStage = layering.layerCount() / d.pp();
        int size = d.dp() * d.tp();
        List<StagePlacement> placements = new ArrayList<>();
        List<IntraOpPlan> plans = new ArrayList<>();
        Map<List<Object>, IntraOpPlan> solved = new HashMap<>();
        for (int s = 0; s < d.pp(); s++) {
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                ids.add(s * size + k);
            }
            DeviceMesh mesh = DeviceMesh.over(cluster, d.dp(), d.tp(), ids);
            StageGraph sg = StageGraph.of(layering, s * perStage, (s + 1) * perStage - 1);
            IntraOpPlan p = null;
            if (options.remat() != RematMode.LAYERS) {
                p = stagePlan(sg, mesh, d, intra, solved);
            }
            // recomputed where every stage recomputes, or (auto) where the stage fits no other way
            int inflight = options.schedule().inflight(d.pp(), microbatches, s);
            if (p == null || options.remat() == RematMode.AUTO && StageCost.of(p).memoryBytes(inflight) > budget) {
                sg = sg.recomputed(layering);
                p = stagePlan(sg, mesh, d, intra, solved);
            }
            placements.add(new StagePlacement(s * perStage, (s + 1) * perStage - 1, submesh(cluster, size), mesh, -1, sg));
            plans.add(p);
        }
        return PipelineAssembly.assemble(d.toString(), cluster, layering, microbatches, options.schedule(), placements, plans,
                budget, Optional.empty());
    }

    /** Megatron's plan of one stage graph; identical stages on identical meshes are planned once. */
    private static IntraOpPlan stagePlan(StageGraph sg, DeviceMesh mesh, Degrees d, PlannerOptions intra,
                                         Map<List<Object>, IntraOpPlan> solved) {
        List<Object> key = List.of(GraphSignature.of(sg.graph()), mesh.axis0(), mesh.axis1());
        IntraOpPlan same = solved.get(key);
        IntraOpPlan p = same == null ? (d.zero() ? ManualPlans.dpMegatronZero(sg.graph(), mesh, intra)
                : ManualPlans.dpMegatron(sg.graph(), mesh, intra))
                : IntraOpPlan.of(same.method(), same.status(), StrategySpace.enumerate(sg.graph(), mesh, intra),
                        same.choices().stream().mapToInt(Integer::intValue).toArray(), Optional.empty());
        solved.putIfAbsent(key, p);
        return p;
    }

    /**
     * The best Megatron plan over every dp x tp x pp = device count (pp dividing the layers, dp the
     * microbatch, dp x tp a divisor or multiple of a host's GPUs) and every microbatch count given:
     * {@code graphs.apply(m)} is the training graph of one of m microbatches. Every grid point is costed
     * from its layers' Megatron plans side by side (as the automatic planner costs layer ranges); the
     * best few are then planned exactly, and so are the best few with optimizer states sharded over dp
     * ({@code zero=1}, estimated by the time of the same degrees without, their memory left to the exact
     * plan), and the best that fits memory is returned.
     */
    public static PipelinePlan best(IntFunction<Graph> graphs, List<Integer> microbatchCounts, Cluster cluster, StageOptions options) {
        record Candidate(int microbatches, Degrees degrees, double estimate) {
        }
        List<Candidate> candidates = new ArrayList<>();
        Map<Integer, Graph> graphOf = new HashMap<>();
        long budget = options.memoryBytes(cluster.gpu().memoryBytes());
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int m : microbatchCounts) {
                Graph g = DeadCodeElimination.apply(graphs.apply(m));
                Layering layering = NamedLayers.of(g);
                List<Degrees> grid = grid(cluster, layering.layerCount(), g, m);
                if (grid.isEmpty()) {
                    continue;
                }
                graphOf.put(m, g);
                List<LogicalMesh> meshes = new ArrayList<>();
                Map<List<Integer>, Integer> profileOf = new HashMap<>();
                for (Degrees d : grid) {
                    profileOf.computeIfAbsent(List.of(d.dp(), d.tp()), k -> {
                        meshes.add(new LogicalMesh(-1, submesh(cluster, d.dp() * d.tp()), d.dp(), d.tp(),
                                DeviceMesh.of(cluster, d.dp(), d.tp())));
                        return meshes.size() - 1;
                    });
                }
                List<Profile> profiles = new ArrayList<>();
                for (boolean remat : new boolean[] {false, true}) {
                    if (remat ? options.remat().recomputes() : options.remat().keeps()) {
                        meshes.forEach(lm -> profiles.add(new Profile(lm, PlanMethod.DP_MEGATRON, remat)));
                    }
                }
                LayerProfiles lp = LayerProfiles.solve(layering, profiles, PipelinePlanner.intraOptions(options, m), pool);
                int shift = options.remat() == RematMode.AUTO ? meshes.size() : 0;
                for (Degrees d : grid) {
                    int profile = profileOf.get(List.of(d.dp(), d.tp()));
                    double estimate = estimate(lp, profile, shift > 0 ? profile + shift : -1, layering.layerCount(), d.pp(), m,
                            options.schedule(), budget);
                    if (estimate < Double.POSITIVE_INFINITY) {
                        candidates.add(new Candidate(m, d, estimate));
                    }
                    if (d.dp() > 1) {
                        // the same degrees with optimizer states sharded over dp: about the same time (a reduce-scatter and an
                        // all-gather move the bytes of one all-reduce), less memory; whether it fits is left to the exact plan
                        double unbounded = estimate(lp, profile, -1, layering.layerCount(), d.pp(), m, options.schedule(), Long.MAX_VALUE);
                        candidates.add(new Candidate(m, new Degrees(d.dp(), d.tp(), d.pp(), true), unbounded));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        boolean estimatedToFit = candidates.stream().anyMatch(c -> !c.degrees().zero());
        if (candidates.isEmpty()) {
            throw noFit(cluster, microbatchCounts);
        }
        candidates.sort(Comparator.comparingDouble(Candidate::estimate));
        List<Candidate> exact = new ArrayList<>();
        for (boolean zero : new boolean[] {false, true}) {
            candidates.stream().filter(c -> c.degrees().zero() == zero).limit(EXACT).forEach(exact::add);
        }
        PipelinePlan best = null;
        for (Candidate c : exact) {
            PipelinePlan p = plan(graphOf.get(c.microbatches()), c.microbatches(), cluster, c.degrees(), options);
            if (best == null || p.fits() && (!best.fits() || p.iterationSeconds() < best.iterationSeconds())) {
                best = p;
            }
        }
        if (!best.fits() && !estimatedToFit) {
            throw noFit(cluster, microbatchCounts);
        }
        return best;
    }

    private static PlanningException noFit(Cluster cluster, List<Integer> microbatchCounts) {
        return new PlanningException("no Megatron plan of this model fits on " + cluster + " with " + microbatchCounts
                + " microbatches; add devices or raise the memory budget");
    }

    /**
     * Iteration time of pp equal stages from their layers' plans side by side, a stage that does not fit in
     * {@code profile} taking {@code recomputing} (the same with rematerialisation; -1 for none); infinite if a
     * stage fits in neither.
     */
    private static double estimate(LayerProfiles lp, int profile, int recomputing, int layers, int pp, int microbatches,
                                   PipelineSchedule schedule, long budget) {
        int per = layers / pp;
        double sum = 0;
        double max = 0;
        double update = 0;
        for (int s = 0; s < pp; s++) {
            int inflight = schedule.inflight(pp, microbatches, s);
            StageCost c = lp.range(s * per, (s + 1) * per - 1, profile);
            if (c.memoryBytes(inflight) > budget && recomputing >= 0) {
                c = lp.range(s * per, (s + 1) * per - 1, recomputing);
            }
            if (c.memoryBytes(inflight) > budget) {
                return Double.POSITIVE_INFINITY;
            }
            sum += c.microbatchSeconds();
            max = Math.max(max, c.microbatchSeconds());
            update = Math.max(update, c.updateSeconds());
        }
        return sum + (microbatches - 1) * max + update;
    }

    /** Every valid degree triple for this cluster, layer count and microbatch. */
    private static List<Degrees> grid(Cluster cluster, int layers, Graph g, int microbatches) {
        List<Degrees> out = new ArrayList<>();
        int n = cluster.deviceCount();
        for (int pp = 1; pp <= n; pp++) {
            for (int tp = 1; pp * tp <= n; tp++) {
                if (n % (pp * tp) == 0) {
                    Degrees d = new Degrees(n / (pp * tp), tp, pp);
                    if (problem(d, cluster, layers, g, microbatches) == null) {
                        out.add(d);
                    }
                }
            }
        }
        return out;
    }

    private static void check(Degrees d, Cluster cluster, int layers, Graph g, int microbatches) {
        String p = problem(d, cluster, layers, g, microbatches);
        if (p != null) {
            throw new PlanningException(p);
        }
    }

    /** Why degrees {@code d} do not make a Megatron plan here, or null. */
    private static String problem(Degrees d, Cluster cluster, int layers, Graph g, int microbatches) {
        int size = d.dp() * d.tp();
        int m = cluster.gpusPerHost();
        if (d.devices() != cluster.deviceCount()) {
            return String.format("%s uses dp*tp*pp = %d devices but %s has %d; make the product equal the device count",
                    d, d.devices(), cluster, cluster.deviceCount());
        }
        if (layers % d.pp() != 0) {
            return d + ": pp=" + d.pp() + " does not divide the model's " + layers + " layers";
        }
        if (m % size != 0 && size % m != 0) {
            return d + ": a stage's dp*tp = " + size + " devices must divide the " + m + " GPUs of a host or be a multiple of them";
        }
        int batch = microbatchSize(g);
        if (batch % d.dp() != 0) {
            return d + ": dp=" + d.dp() + " does not divide the microbatch of " + batch + " samples (" + microbatches
                    + " microbatches); use fewer microbatches or a smaller dp";
        }
        return null;
    }

    /** The batch dimension of the graph's fed inputs (the samples of one microbatch). */
    private static int microbatchSize(Graph g) {
        for (Node n : g.inputs()) {
            if (n.type().rank() > 0) {
                return n.type().dim(0);
            }
        }
        return 1;
    }

    private static Submesh submesh(Cluster cluster, int devices) {
        int m = cluster.gpusPerHost();
        return devices < m ? new Submesh(1, devices) : new Submesh(devices / m, m);
    }
}
