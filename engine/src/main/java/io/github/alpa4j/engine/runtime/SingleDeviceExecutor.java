package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.LayoutOp;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.SourceOp;
import io.github.alpa4j.kernels.FusedKernels;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a whole graph on one device: the reference every sharded or pipelined run is compared
 * with. Variables (parameters, optimizer states) live across steps; every other tensor is
 * allocated when computed and freed after its last reader (a fetched output once downloaded).
 * Reshapes alias their input. Where the backend's kernels fuse chains ({@link FusedKernels}), the
 * chains {@link FusedChains} finds run as one kernel each, with the same results.
 * A loss-scaled step whose new values are not all finite keeps the old ones.
 */
public final class SingleDeviceExecutor<F, I> implements StepRunner {
    /** One device holds every variable whole. */
    private static final MeshGroups WHOLE = new MeshGroups(1, 1);
    private final Graph graph;
    private final Backend<F, I> backend;
    private final KernelDispatch<F, I> dispatch;
    private final FusedChains chains;
    private final Set<String> fetched;
    private final Liveness liveness;
    /** Fetched outputs whose buffers are freed once downloaded: they own storage and are no variable's new value. */
    private final Set<Integer> freedAfterFetch = new HashSet<>();
    private final Map<Integer, Object> variables = new LinkedHashMap<>();
    private long variableBytes;
    private long peakBytes;
    private long matmulNanos;
    private long stepNanos;
    private final boolean lossScaled;
    private boolean skipped;

    /** Initialises every variable from {@code seed}; {@code fetch} names the outputs each step returns. */
    public SingleDeviceExecutor(Graph graph, Backend<F, I> backend, long seed, Set<String> fetch) {
        this.graph = graph;
        this.backend = backend;
        this.dispatch = new KernelDispatch<>(backend.kernels());
        this.chains = backend.kernels() instanceof FusedKernels<?> ? FusedChains.find(graph) : FusedChains.none(graph);
        this.fetched = Set.copyOf(fetch);
        this.liveness = liveness(graph, fetch);
        this.lossScaled = UpdateCheck.lossScaled(graph);
        for (String name : fetch) {
            freedAfterFetch.add(graph.output(name));
        }
        graph.updates().forEach(u -> freedAfterFetch.remove(u.value()));
        freedAfterFetch.removeIf(id -> !liveness.ownsStorage(id));
        for (Node n : graph.variables()) {
            Object buf = backend.allocate(n.type());
            backend.upload(Initializer.initial(n, seed), buf);
            variables.put(n.id(), buf);
            variableBytes += n.type().bytes();
        }
    }

    private static Liveness liveness(Graph graph, Set<String> fetch) {
        Set<Integer> keep = new HashSet<>();
        for (String name : fetch) {
            keep.add(graph.output(name));
        }
        graph.updates().forEach(u -> keep.add(u.value()));
        return Liveness.of(graph, keep);
    }

    /**
     * The bytes a step of {@code graph} will hold at its peak, worked out before anything is allocated:
     * the variables, and the most tensors live at once as {@link #step} allocates and frees them.
     */
    public static long peakBytes(Graph graph, Set<String> fetch) {
        Liveness l = liveness(graph, fetch);
        long live = 0;
        for (Node n : graph.variables()) {
            live += n.type().bytes();
        }
        long peak = live;
        for (Node n : graph.nodes()) {
            if (n.isVariable()) {
                continue;
            }
            if (l.ownsStorage(n.id())) {
                live += n.type().bytes();
                peak = Math.max(peak, live);
            }
            for (int dead : l.freedAfter(n.id())) {
                live -= graph.node(dead).type().bytes();
            }
        }
        return peak;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Tensor> step(Map<String, Tensor> feeds) {
        long start = System.nanoTime();
        Object[] buf = new Object[graph.size()];
        long live = variableBytes;
        long peak = live;
        // while a fused chain is under way, storages freed in it are returned once its last node has run
        int chainEnd = -1;
        List<Integer> held = new ArrayList<>();
        for (Node n : graph.nodes()) {
            int id = n.id();
            if (n.isVariable()) {
                buf[id] = variables.get(id);
                continue;
            }
            if (n.op() instanceof SourceOp.Input) {
                Tensor t = feeds.get(n.name());
                if (t == null || !t.type().equals(n.type())) {
                    throw new IllegalArgumentException("input '" + n.name() + "' needs " + n.type()
                            + (t == null ? ", none was fed" : ", got " + t.type()));
                }
                buf[id] = backend.allocate(n.type());
                backend.upload(t, buf[id]);
            } else if (n.op() instanceof LayoutOp.Reshape) {
                buf[id] = buf[n.input(0)];
            } else {
                buf[id] = backend.allocate(n.type());
                if (chains.deferredTo(id) >= 0) {
                    chainEnd = Math.max(chainEnd, chains.deferredTo(id));
                } else if (chains.endingAt(id) != null) {
                    chains.run((FusedKernels<F>) backend.kernels(), chains.endingAt(id), buf);
                } else {
                    run(n, buf);
                }
            }
            if (liveness.ownsStorage(id)) {
                live += n.type().bytes();
                peak = Math.max(peak, live);
            }
            for (int dead : liveness.freedAfter(id)) {
                live -= graph.node(dead).type().bytes();
                held.add(dead);
            }
            if (id >= chainEnd) {
                for (int dead : held) {
                    backend.free(buf[dead]);
                    buf[dead] = null;
                }
                held.clear();
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : fetched) {
            int id = graph.output(name);
            out.put(name, backend.download(buf[id], graph.node(id).type()));
        }
        skipped = lossScaled && UpdateCheck.anyNonFinite(backend, graph.updates().stream().map(u -> buf[u.value()]).toList(),
                UpdateCheck.updateSizes(graph));
        for (int id : freedAfterFetch) {
            backend.free(buf[id]);
        }
        for (Graph.Update u : graph.updates()) {
            backend.free(skipped ? buf[u.value()] : variables.put(u.variable(), buf[u.value()]));
        }
        peakBytes = Math.max(peakBytes, peak);
        stepNanos += System.nanoTime() - start;
        return out;
    }

    private void run(Node n, Object[] buf) {
        List<Object> in = new ArrayList<>(n.inputs().size());
        for (int x : n.inputs()) {
            in.add(buf[x]);
        }
        long t0 = n.op() instanceof MatmulOp ? System.nanoTime() : 0;
        dispatch.run(n.op(), graph.inputTypes(n), n.type(), in, buf[n.id()], KernelDispatch.Local.whole());
        if (t0 != 0) {
            matmulNanos += System.nanoTime() - t0;
        }
    }

    /** The chains this executor runs fused, by kind (e.g. {@code BiasGelu x2}); none where the kernels offer no fusions. */
    List<String> fusedChains() {
        return chains.summary();
    }

    /** Current value of a variable (parameter or state) by name. */
    public Tensor variable(String name) {
        for (Map.Entry<Integer, Object> e : variables.entrySet()) {
            Node n = graph.node(e.getKey());
            if (n.name().equals(name)) {
                return backend.download(e.getValue(), n.type());
            }
        }
        throw new IllegalArgumentException("no variable '" + name + "'");
    }

    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Node n : graph.parameters()) {
            m.put(n.name(), backend.download(variables.get(n.id()), n.type()));
        }
        return m;
    }

    @Override
    public boolean lossScaled() {
        return lossScaled;
    }

    @Override
    public boolean lastStepSkipped() {
        return skipped;
    }

    @Override
    public List<List<VariableShard>> variableLayout() {
        List<VariableShard> mine = new ArrayList<>();
        for (Node n : sortedVariables()) {
            mine.add(new VariableShard(n.name(), 0, n.type(), ShardingSpec.replicated(n.type().rank()), WHOLE, 0));
        }
        return List.of(mine);
    }

    @Override
    public List<List<Tensor>> variableBlocks() {
        return List.of(sortedVariables().stream().map(n -> backend.download(variables.get(n.id()), n.type())).toList());
    }

    @Override
    public void setVariableBlocks(List<List<Tensor>> blocks) {
        List<Node> vars = sortedVariables();
        List<Tensor> mine = blocks.getFirst();
        if (blocks.size() != 1 || mine.size() != vars.size()) {
            throw new IllegalArgumentException("one device with " + vars.size() + " variables, got " + blocks.size() + " devices");
        }
        for (int i = 0; i < vars.size(); i++) {
            Node n = vars.get(i);
            if (!mine.get(i).type().equals(n.type())) {
                throw new IllegalArgumentException(n.name() + " is " + n.type() + ", got " + mine.get(i).type());
            }
            Object buf = backend.allocate(n.type());
            backend.upload(mine.get(i), buf);
            backend.free(variables.put(n.id(), buf));
        }
    }

    private List<Node> sortedVariables() {
        return graph.variables().stream().sorted(java.util.Comparator.comparing(Node::name)).toList();
    }

    @Override
    public long peakBytes() {
        return peakBytes;
    }

    @Override
    public long matmulNanos() {
        return matmulNanos;
    }

    @Override
    public long stepNanos() {
        return stepNanos;
    }

    public Graph graph() {
        return graph;
    }
}
