package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.profile.Instruction;

import org.jgrapht.Graph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedAcyclicGraph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The computation DAG of one pipeline iteration, S stages × M microbatches (REFERENCES.md §3,
 * "DAG"): a node per forward F(s,m) and backward B(s,m); an edge between consecutive
 * computations of one stage, F(s,m)→F(s+1,m) and B(s+1,m)→B(s,m); a source before every
 * computation without predecessors and a sink after every one without successors.
 *
 * <p>Computations are numbered 0..n−1, stage by stage in running order; the frontier works on
 * these indices. {@link #asGraph()} gives the same DAG, source and sink included, as a JGraphT graph.
 */
public final class PipelineDag {
    private final int stages;
    private final int microbatches;
    private final PipelineSchedule schedule;
    private final List<Computation> computations;
    private final Map<Computation, Integer> index;
    private final int[][] successors;
    private final int[][] predecessors;
    private final int[] topologicalOrder;

    private PipelineDag(int stages, int microbatches, PipelineSchedule schedule, List<Computation> computations,
                        int[][] successors, int[][] predecessors) {
        this.stages = stages;
        this.microbatches = microbatches;
        this.schedule = schedule;
        this.computations = List.copyOf(computations);
        this.index = new HashMap<>();
        for (int i = 0; i < computations.size(); i++) {
            index.put(computations.get(i), i);
        }
        this.successors = successors;
        this.predecessors = predecessors;
        this.topologicalOrder = kahn(successors, predecessors);
    }

    /** Builds the DAG of {@code schedule} for {@code stages} × {@code microbatches}. */
    public static PipelineDag build(int stages, int microbatches, PipelineSchedule schedule) {
        if (stages < 1 || microbatches < 1) {
            throw new EnergyInputException("a pipeline needs at least one stage and one microbatch, got "
                    + stages + " stages and " + microbatches + " microbatches");
        }
        List<List<Computation>> orders = new ArrayList<>(stages);
        for (int s = 0; s < stages; s++) {
            orders.add(schedule.stageOrder(stages, microbatches, s));
        }
        return of(microbatches, orders, schedule);
    }

    /**
     * The DAG of any synchronous schedule, given the order each stage runs its computations in:
     * for a pipeline schedule that knows its own instruction order.
     *
     * @param stageOrders for each stage s, its 2·M computations, each of stage s, in running order
     * @param schedule the named schedule the orders follow, for reports
     * @throws IllegalArgumentException if an order misses or repeats a computation, or the orders
     *     deadlock (a stage waits for a computation that waits for it)
     */
    public static PipelineDag of(int microbatches, List<List<Computation>> stageOrders, PipelineSchedule schedule) {
        int stages = stageOrders.size();
        if (stages < 1 || microbatches < 1) {
            throw new IllegalArgumentException("a pipeline needs at least one stage and one microbatch");
        }
        List<Computation> computations = new ArrayList<>(2 * stages * microbatches);
        for (int s = 0; s < stages; s++) {
            List<Computation> order = stageOrders.get(s);
            int stage = s;
            if (order.size() != 2 * microbatches || order.stream().anyMatch(c -> c.stage() != stage
                    || c.microbatch() >= microbatches)) {
                throw new IllegalArgumentException("stage " + s + " must run its " + 2 * microbatches
                        + " computations, got " + order);
            }
            computations.addAll(order);
        }
        Map<Computation, Integer> index = new HashMap<>();
        for (int i = 0; i < computations.size(); i++) {
            if (index.put(computations.get(i), i) != null) {
                throw new IllegalArgumentException(computations.get(i) + " appears twice in the stage orders");
            }
        }
        List<Set<Integer>> out = new ArrayList<>();
        for (int i = 0; i < computations.size(); i++) {
            out.add(new LinkedHashSet<>());
        }
        for (int i = 0; i < computations.size(); i++) {
            Computation c = computations.get(i);
            if (i + 1 < computations.size() && computations.get(i + 1).stage() == c.stage()) {
                out.get(i).add(i + 1);
            }
            if (c.instruction() == Instruction.FORWARD && c.stage() + 1 < stages) {
                out.get(i).add(index.get(new Computation(c.stage() + 1, c.microbatch(), Instruction.FORWARD)));
            }
            if (c.instruction() == Instruction.BACKWARD && c.stage() > 0) {
                out.get(i).add(index.get(new Computation(c.stage() - 1, c.microbatch(), Instruction.BACKWARD)));
            }
        }
        int n = computations.size();
        int[][] successors = new int[n][];
        int[] inDegree = new int[n];
        for (int i = 0; i < n; i++) {
            successors[i] = out.get(i).stream().mapToInt(Integer::intValue).toArray();
            for (int j : successors[i]) {
                inDegree[j]++;
            }
        }
        int[][] predecessors = new int[n][];
        int[] filled = new int[n];
        for (int i = 0; i < n; i++) {
            predecessors[i] = new int[inDegree[i]];
        }
        for (int i = 0; i < n; i++) {
            for (int j : successors[i]) {
                predecessors[j][filled[j]++] = i;
            }
        }
        return new PipelineDag(stages, microbatches, schedule, computations, successors, predecessors);
    }

    private static int[] kahn(int[][] successors, int[][] predecessors) {
        int n = successors.length;
        int[] remaining = new int[n];
        int[] order = new int[n];
        int head = 0;
        int tail = 0;
        for (int i = 0; i < n; i++) {
            remaining[i] = predecessors[i].length;
            if (remaining[i] == 0) {
                order[tail++] = i;
            }
        }
        while (head < tail) {
            int u = order[head++];
            for (int v : successors[u]) {
                if (--remaining[v] == 0) {
                    order[tail++] = v;
                }
            }
        }
        if (tail != n) {
            throw new IllegalArgumentException("the stage orders deadlock: the pipeline graph has a cycle");
        }
        return order;
    }

    public int stages() {
        return stages;
    }

    public int microbatches() {
        return microbatches;
    }

    public PipelineSchedule schedule() {
        return schedule;
    }

    /** Number of computations, 2·S·M. */
    public int size() {
        return computations.size();
    }

    public List<Computation> computations() {
        return computations;
    }

    public Computation computation(int i) {
        return computations.get(i);
    }

    public int indexOf(Computation computation) {
        Integer i = index.get(computation);
        if (i == null) {
            throw new IllegalArgumentException(computation + " is not in this DAG");
        }
        return i;
    }

    public int successorCount(int i) {
        return successors[i].length;
    }

    public int successor(int i, int k) {
        return successors[i][k];
    }

    public int predecessorCount(int i) {
        return predecessors[i].length;
    }

    public int predecessor(int i, int k) {
        return predecessors[i][k];
    }

    /** Computation indices such that every edge goes forward. */
    public int[] topologicalOrder() {
        return Arrays.copyOf(topologicalOrder, topologicalOrder.length);
    }

    /** The DAG with its source and sink, for callers that want a graph library's view of it. */
    public Graph<DagNode, DefaultEdge> asGraph() {
        DirectedAcyclicGraph<DagNode, DefaultEdge> graph = new DirectedAcyclicGraph<>(DefaultEdge.class);
        DagNode source = new DagNode.Source();
        DagNode sink = new DagNode.Sink();
        graph.addVertex(source);
        computations.forEach(graph::addVertex);
        graph.addVertex(sink);
        for (int i = 0; i < size(); i++) {
            if (predecessors[i].length == 0) {
                graph.addEdge(source, computations.get(i));
            }
            for (int j : successors[i]) {
                graph.addEdge(computations.get(i), computations.get(j));
            }
            if (successors[i].length == 0) {
                graph.addEdge(computations.get(i), sink);
            }
        }
        return graph;
    }
}
