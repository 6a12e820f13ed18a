package io.github.alpa4j.planner.ilp;

import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.cost.Liveness;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.strategy.ShardingStrategy;
import io.github.alpa4j.planner.strategy.StrategySpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ILP of one graph on one mesh, and the map between its variables and the graph's nodes.
 * Followers under merging join their leader's group: for each of the leader's choices the follower
 * takes the strategy {@link StrategySpace#follow} gives. With role tying, groups whose nodes have
 * the same {@link RepeatedRoles} colours share one variable (the same op in each repeated layer
 * takes the same strategy). Edge costs are resharding costs from each producer's output to what each
 * consumer reads; an update value must keep its variable's layout (infinite cost otherwise).
 */
public final class IntraOpIlp {
    private final IlpProblem problem;
    private final int[] varOf;
    private final int[][] strategyOf;
    private final int[] creator;
    private final int groups;

    private IntraOpIlp(IlpProblem problem, int[] varOf, int[][] strategyOf, int[] creator, int groups) {
        this.problem = problem;
        this.varOf = varOf;
        this.strategyOf = strategyOf;
        this.creator = creator;
        this.groups = groups;
    }

    public IlpProblem problem() {
        return problem;
    }

    /** Leader groups after follower merging, before role tying. */
    public int groupCount() {
        return groups;
    }

    /** The variable that decides node {@code n}'s strategy. */
    public int varOf(int n) {
        return varOf[n];
    }

    /** The strategy index of every node under a choice per variable. */
    public int[] nodeStrategies(int[] varChoice) {
        int[] s = new int[varOf.length];
        for (int n = 0; n < s.length; n++) {
            s[n] = strategyOf[n][varChoice[varOf[n]]];
        }
        return s;
    }

    /** The variable choices that give each variable's first node the strategy {@code nodeStrategies} gives it. */
    public int[] varChoices(int[] nodeStrategies) {
        int[] c = new int[creator.length];
        for (int v = 0; v < c.length; v++) {
            int n = creator[v];
            for (int i = 0; i < strategyOf[n].length; i++) {
                if (strategyOf[n][i] == nodeStrategies[n]) {
                    c[v] = i;
                    break;
                }
            }
        }
        return c;
    }

    public static IntraOpIlp build(StrategySpace space, boolean mergeFollowers, boolean tieRoles, boolean memoryRows) {
        return new Builder(space).build(mergeFollowers, tieRoles, memoryRows);
    }

    private static final class Builder {
        private final StrategySpace space;
        private final Graph graph;
        private final ReshardCosts reshard;
        private final int[][] strategyOf;
        private final int[] varOf;
        private final int[][] outputSpecs;
        private int[] colour;
        private final List<double[]> costs = new ArrayList<>();
        private final Map<Long, double[][]> edges = new LinkedHashMap<>();

        Builder(StrategySpace space) {
            this.space = space;
            this.graph = space.graph();
            this.reshard = new ReshardCosts(space);
            this.strategyOf = new int[graph.size()][];
            this.varOf = new int[graph.size()];
            this.outputSpecs = new int[graph.size()][];
        }

        IntraOpIlp build(boolean merge, boolean tie, boolean memoryRows) {
            int[] group = new int[graph.size()];
            List<List<Integer>> members = new ArrayList<>();
            for (Node n : graph.nodes()) {
                int slot = space.leaders()[n.id()];
                if (merge && slot >= 0) {
                    follow(n, slot);
                    group[n.id()] = group[n.input(slot)];
                } else {
                    strategyOf[n.id()] = identity(space.of(n.id()).size());
                    group[n.id()] = members.size();
                    members.add(new ArrayList<>());
                }
                members.get(group[n.id()]).add(n.id());
            }
            colour = tie ? RepeatedRoles.colours(graph, space.leaders()) : identity(graph.size());
            // groups whose members have the same colours, in order, share a variable
            Map<List<Integer>, Integer> classes = new HashMap<>();
            List<Integer> creators = new ArrayList<>();
            for (List<Integer> m : members) {
                List<Integer> key = m.stream().map(n -> colour[n]).toList();
                int v = classes.computeIfAbsent(key, k -> {
                    creators.add(m.get(0));
                    costs.add(new double[strategyOf[m.get(0)].length]);
                    return costs.size() - 1;
                });
                for (int n : m) {
                    varOf[n] = v;
                }
            }
            for (Node n : graph.nodes()) {
                double[] c = costs.get(varOf[n.id()]);
                List<ShardingStrategy> own = space.of(n.id());
                for (int i = 0; i < c.length; i++) {
                    c[i] += space.nodeCost(n.id(), own.get(strategyOf[n.id()][i]));
                }
            }
            Map<List<Integer>, Integer> edgeCounts = new LinkedHashMap<>();
            for (Node n : graph.nodes()) {
                for (int k = 0; k < n.inputs().size(); k++) {
                    edgeCounts.merge(List.of(n.input(k), n.id(), k), 1, Integer::sum);
                }
            }
            addEdges(edgeCounts, false);
            Map<List<Integer>, Integer> updates = new LinkedHashMap<>();
            for (Graph.Update u : graph.updates()) {
                updates.merge(List.of(u.variable(), u.value(), -1), 1, Integer::sum);
            }
            addEdges(updates, true);
            List<IlpProblem.Edge> edgeList = new ArrayList<>();
            int nv = costs.size();
            edges.forEach((key, m) -> edgeList.add(new IlpProblem.Edge((int) (key / nv), (int) (key % nv), m)));
            IlpProblem problem = new IlpProblem(costs, edgeList, memoryRows ? memoryRows() : List.of());
            return new IntraOpIlp(problem, varOf, strategyOf, creators.stream().mapToInt(Integer::intValue).toArray(),
                    members.size());
        }

        /**
         * Adds each (producer, consumer, slot) pair's cost; pairs whose ends have the same variables and
         * colours have the same cost matrix, computed once and counted.
         */
        private void addEdges(Map<List<Integer>, Integer> pairs, boolean update) {
            Map<List<Integer>, List<Integer>> byRole = new LinkedHashMap<>();
            Map<List<Integer>, Integer> counts = new HashMap<>();
            pairs.forEach((pair, count) -> {
                int p = pair.get(0);
                int n = pair.get(1);
                List<Integer> role = List.of(varOf[p], varOf[n], colour[p], colour[n], pair.get(2));
                byRole.putIfAbsent(role, pair);
                counts.merge(role, count, Integer::sum);
            });
            byRole.forEach((role, pair) -> addPairCost(pair.get(0), pair.get(1), pair.get(2), update, counts.get(role)));
        }

        private ShardingStrategy strategy(int node, int varChoice) {
            return space.of(node).get(strategyOf[node][varChoice]);
        }

        /** For each of the leader's choices, the follower's strategy (REFERENCES §1's following). */
        private void follow(Node n, int slot) {
            int leader = n.input(slot);
            int[] map = new int[strategyOf[leader].length];
            Map<ShardingSpec, Integer> responses = new HashMap<>();
            for (int i = 0; i < map.length; i++) {
                map[i] = responses.computeIfAbsent(strategy(leader, i).outputSpec(), s -> space.follow(n.id(), slot, s));
            }
            strategyOf[n.id()] = map;
        }

        /**
         * Adds {@code count} times the cost of edge a → b: the resharding of a's output for b's input
         * {@code slot}, or for an update the penalty for b not keeping variable a's layout. On the
         * diagonal if a and b share a variable, else on their edge.
         */
        private void addPairCost(int a, int b, int slot, boolean update, int count) {
            if (!update && space.isFed(a)) {
                return; // the data loader feeds each consumer its own layout
            }
            int type = reshard.type(graph.node(a).type());
            double weight = space.reshardWeight(b);
            int va = varOf[a];
            int vb = varOf[b];
            int[] out = outputSpecs(a);
            int[] in = update ? outputSpecs(b) : inputSpecs(b, slot);
            if (va == vb) {
                double[] c = costs.get(va);
                for (int i = 0; i < c.length; i++) {
                    c[i] += count * pairCost(out[i], in[i], type, update, weight);
                }
                return;
            }
            boolean swap = va > vb;
            int u = swap ? vb : va;
            int v = swap ? va : vb;
            double[][] m = edges.computeIfAbsent((long) u * costs.size() + v,
                    key -> new double[costs.get(u).length][costs.get(v).length]);
            // many choices share a layout: cost each pair of distinct layouts once
            int[] outSpecs = distinct(out);
            int[] inSpecs = distinct(in);
            double[][] local = new double[outSpecs.length][inSpecs.length];
            for (int x = 0; x < outSpecs.length; x++) {
                for (int y = 0; y < inSpecs.length; y++) {
                    local[x][y] = pairCost(outSpecs[x], inSpecs[y], type, update, weight);
                }
            }
            int[] row = indexIn(outSpecs, out);
            int[] col = indexIn(inSpecs, in);
            for (int i = 0; i < out.length; i++) {
                double[] l = local[row[i]];
                for (int j = 0; j < in.length; j++) {
                    double c = count * l[col[j]];
                    if (swap) {
                        m[j][i] += c;
                    } else {
                        m[i][j] += c;
                    }
                }
            }
        }

        private double pairCost(int from, int to, int type, boolean update, double weight) {
            if (update) {
                return from == to ? 0 : Double.POSITIVE_INFINITY;
            }
            return weight * reshard.cost(from, to, type);
        }

        /** The spec number of node {@code n}'s output under each choice of its variable. */
        private int[] outputSpecs(int n) {
            if (outputSpecs[n] == null) {
                int[] ids = new int[strategyOf[n].length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = reshard.spec(strategy(n, i).outputSpec());
                }
                outputSpecs[n] = ids;
            }
            return outputSpecs[n];
        }

        /** The spec number in which node {@code n} reads input {@code slot} under each choice of its variable. */
        private int[] inputSpecs(int n, int slot) {
            int[] ids = new int[strategyOf[n].length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = reshard.spec(strategy(n, i).inputSpec(slot));
            }
            return ids;
        }

        /** The distinct values of {@code ids}, in the order they first occur. */
        private static int[] distinct(int[] ids) {
            int[] out = new int[ids.length];
            int n = 0;
            for (int id : ids) {
                int k = 0;
                while (k < n && out[k] != id) {
                    k++;
                }
                if (k == n) {
                    out[n++] = id;
                }
            }
            return Arrays.copyOf(out, n);
        }

        /** For each of {@code ids}, its position in {@code values}. */
        private static int[] indexIn(int[] values, int[] ids) {
            int[] at = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                int k = 0;
                while (values[k] != ids[i]) {
                    k++;
                }
                at[i] = k;
            }
            return at;
        }

        private List<IlpProblem.MemoryRow> memoryRows() {
            Liveness live = Liveness.of(graph);
            List<IlpProblem.MemoryRow> rows = new ArrayList<>();
            for (int t : live.peakSteps()) {
                Map<Integer, long[]> perVar = new LinkedHashMap<>();
                for (int n : live.live(t)) {
                    long[] b = perVar.computeIfAbsent(varOf[n], v -> new long[costs.get(v).length]);
                    for (int i = 0; i < b.length; i++) {
                        b[i] += strategy(n, i).memoryBytes();
                    }
                }
                int[] vars = perVar.keySet().stream().mapToInt(Integer::intValue).toArray();
                rows.add(new IlpProblem.MemoryRow(t, vars, perVar.values().toArray(new long[0][])));
            }
            return rows;
        }

        private static int[] identity(int n) {
            int[] r = new int[n];
            for (int i = 0; i < n; i++) {
                r[i] = i;
            }
            return r;
        }
    }
}
