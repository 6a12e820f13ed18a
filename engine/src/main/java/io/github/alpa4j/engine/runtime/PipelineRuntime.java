package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.lower.Instruction;
import io.github.alpa4j.engine.lower.Lowering;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.planner.sharding.ShardingSpec;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.StageGraph;
import io.github.alpa4j.planner.stage.StageTransfer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Runs a pipeline plan: every stage's intra-op plan lowered for its own mesh, one thread per device of
 * every stage. Each iteration splits the batch into the plan's microbatches; each stage runs the
 * forward and backward passes of the microbatches in its schedule's order (GPipe or 1F1B), keeping one
 * set of activation buffers per microbatch in flight; values crossing stages go from each sending
 * device straight to each receiving device that needs them, only the block the receiver holds under
 * its own layout (cross-mesh resharding); gradients (every value the update reads) are summed over the
 * microbatches and scaled by 1/M, so that the update, run once per iteration, sees the gradient of the
 * mean loss over the whole batch, as one device computing the whole batch would.
 *
 * <p>Cross-stage transfers travel on two sets of point-to-point links, one for the forward pass and one
 * for the backward pass. Every stage runs forwards in microbatch order and backwards in the order the
 * schedule gives all stages alike, and sender and receiver walk the same list of pieces, so the
 * messages between two devices arrive in the order they are expected.
 */
public final class PipelineRuntime<F, I> implements StepRunner, AutoCloseable {
    private final PipelinePlan plan;
    private final PipelineSchedule schedule;
    private final int microbatches;
    private final List<Stage> stages = new ArrayList<>();
    private final Collectives<F> forwardLinks;
    private final Collectives<F> backwardLinks;
    /** Each device's pieces to send (and to receive) per pass, in one order for both sides: key {@link #box}. */
    private final Map<Integer, List<Piece>> outbox = new HashMap<>();
    private final Map<Integer, List<Piece>> inbox = new HashMap<>();
    private final ExecutorService pool;
    private final List<List<TaskTiming>> timings = new ArrayList<>();
    private long stepStart;
    private long stepNanos;
    private volatile String failed;

    /**
     * When one device ran one pass of one microbatch in the last step, in nanoseconds from the step's
     * start: it began, had received its inputs from other stages (waiting for them, and for a forward
     * pass uploading its microbatch, included), had queued its instructions (on a synchronous
     * backend such as the CPU: run them), and had sent its outputs (and, after a backward pass, added
     * its gradients to the sums).
     */
    public record TaskTiming(int stage, int device, int microbatch, PipelineSchedule.Pass pass, long startNanos,
                             long receivedNanos, long computedNanos, long endNanos) {
        public long nanos() {
            return endNanos - startNanos;
        }

        /** Time in the pass's own instructions (its intra-stage collectives included), not waiting for other stages. */
        public long computeNanos() {
            return computedNanos - receivedNanos;
        }
    }

    /** One block of a value that one device of a stage sends one device of another, for every microbatch. */
    /**
     * @param from       sending device, numbered over all stages
     * @param to         receiving device, likewise
     * @param size       the block's extent per dimension
     * @param sendOffset where the block starts in the sender's shard (elements)
     * @param recvOffset where it starts in the receiver's shard
     * @param wholeBlock the block is the receiver's whole shard (received in place)
     */
    private record Piece(Phase phase, int value, int from, int sendSlot, int to, int recvSlot, int[] size, long sendOffset,
                         long recvOffset, boolean wholeBlock) {
        long elements() {
            long n = 1;
            for (int s : size) {
                n *= s;
            }
            return n;
        }
    }

    private final class Stage {
        final int index;
        final StageGraph graph;
        final MeshProgram program;
        final MeshGroups groups;
        final int firstDevice;
        final List<DeviceExecutor<F, I>> devices = new ArrayList<>();
        final List<Instruction> forward = new ArrayList<>();
        final List<Instruction> backward = new ArrayList<>();
        final List<Instruction> update = new ArrayList<>();
        /** Storage slots summed over microbatches: what the update reads, and the stage's named outputs. */
        final List<Integer> accumulated = new ArrayList<>();
        /** Slot the update reads → its storage among {@link #accumulated}. */
        final Map<Integer, Integer> accumulatedViews = new HashMap<>();
        final Set<Integer> variableSlots;
        /** Slots some instruction reads (an input slot nobody reads is neither fed nor received). */
        final Set<Integer> read = new HashSet<>();
        /** Storages read by a backward or update instruction. */
        final Set<Integer> readAfterForward = new HashSet<>();
        /** Storages of values sent forward that nothing here reads after the forward pass: freed once sent. */
        final Set<Integer> sentThenFreed = new HashSet<>();
        /** Input slots fed from the data (not received), by node name. */
        final Map<Integer, String> fed = new LinkedHashMap<>();
        final Map<String, Integer> outputs = new LinkedHashMap<>();
        Object[][] variables;
        Object[][][] buffers;
        Object[][] accumulators;
        Object[][] updateBuffers;

        Stage(PipelineStage s, int firstDevice) {
            this.index = s.index();
            this.graph = s.graph();
            this.program = Lowering.lower(s.plan());
            this.groups = new MeshGroups(s.mesh().rows(), s.mesh().cols());
            this.firstDevice = firstDevice;
            this.variableSlots = Set.copyOf(program.variables().values());
            split();
            Graph g = graph.graph();
            Set<Integer> received = new HashSet<>();
            graph.received().forEach(v -> received.add(graph.local(v)));
            program.inputs().forEach((slot, node) -> {
                if (!received.contains(node) && read.contains(slot)) {
                    fed.put(slot, g.node(node).name());
                }
            });
            program.outputs().forEach((name, slot) -> {
                if (!name.startsWith(StageGraph.TRANSFER)) {
                    outputs.put(name, slot);
                }
            });
        }

        int deviceCount() {
            return groups.devices();
        }

        private Phase phaseOf(int instruction) {
            return graph.graph().node(program.owners().get(instruction)).phase();
        }

        /**
         * Splits the program by the phase of the node each instruction serves and finds what to
         * accumulate. A gradient's all-reduce or reduce-scatter that only the update reads moves to
         * the update: it is linear, so reducing the sum of the microbatches' partial gradients once
         * equals summing the reduced ones, and the planner prices it once per iteration.
         */
        private void split() {
            List<Instruction> code = program.instructions();
            Phase[] phase = new Phase[code.size()];
            for (int i = 0; i < code.size(); i++) {
                phase[i] = phaseOf(i);
            }
            deferReductions(code, phase);
            Phase[] writer = new Phase[program.slots().size()];
            Instruction[] writtenBy = new Instruction[program.slots().size()];
            Set<Integer> readByUpdate = new java.util.TreeSet<>();
            List<Instruction> constantsForUpdate = new ArrayList<>();
            for (int i = 0; i < code.size(); i++) {
                Instruction ins = code.get(i);
                Phase p = phase[i];
                for (int r : ins.reads()) {
                    if (!(ins instanceof Instruction.Free)) {
                        read.add(r);
                    }
                    Phase w = writer[r];
                    if (w != null && w.compareTo(p) > 0) {
                        throw new IllegalStateException("stage " + index + ": a " + p + " instruction reads a value of the "
                                + w + " pass");
                    }
                    if (p != Phase.FORWARD && !(ins instanceof Instruction.Free)) {
                        readAfterForward.add(storage(r));
                    }
                    if (p == Phase.UPDATE && w != Phase.UPDATE && !program.variables().containsValue(r)) {
                        if (writtenBy[r] instanceof Instruction.Compute c && c.in().isEmpty()) {
                            if (!constantsForUpdate.contains(c)) {
                                constantsForUpdate.add(c); // a constant: recomputed for the update, not summed
                            }
                        } else {
                            readByUpdate.add(r);
                        }
                    }
                }
                int w = ins.written();
                if (w >= 0) {
                    writer[w] = p;
                    writtenBy[w] = ins;
                }
                switch (p) {
                    case FORWARD -> forward.add(ins);
                    case BACKWARD -> backward.add(ins);
                    case UPDATE -> update.add(ins);
                }
            }
            update.addAll(0, constantsForUpdate);
            Graph g = graph.graph();
            Set<Integer> storages = new java.util.TreeSet<>();
            for (int r : readByUpdate) {
                SlotInfo s = program.slot(r);
                Node n = g.node(s.node());
                boolean fedInput = program.inputs().containsKey(r) && !graph.received().contains(graph.original(s.node()));
                if (fedInput || n.phase() != Phase.BACKWARD) {
                    throw new IllegalStateException("stage " + index + ": the update reads " + n.name() + " (" + n.phase()
                            + "), which is not a gradient; only gradients can be summed over microbatches");
                }
                int st = storage(r);
                storages.add(st);
                accumulatedViews.put(r, st);
            }
            Set<Integer> variableStorage = new HashSet<>();
            program.variables().values().forEach(v -> variableStorage.add(storage(v)));
            program.outputs().forEach((name, slot) -> {
                if (!name.startsWith(StageGraph.TRANSFER)) {
                    int st = storage(slot);
                    SlotInfo s = program.slot(slot);
                    if (variableStorage.contains(st) || s.global().dtype() != DType.F32 || writer[slot] == null
                            || writer[slot] == Phase.UPDATE) {
                        throw new IllegalStateException("stage " + index + ": output '" + name + "' (" + s.global() + ", "
                                + writer[slot] + ") cannot be summed over microbatches; a pipeline fetches float losses of the passes");
                    }
                    storages.add(st);
                    accumulatedViews.put(slot, st);
                }
            });
            for (int value : program.updates().values()) {
                if (writer[value] != Phase.UPDATE) {
                    throw new IllegalStateException("stage " + index + ": a variable's new value is computed in the "
                            + writer[value] + " pass; a pipeline updates variables once per iteration, in the update");
                }
            }
            accumulated.addAll(storages);
            program.outputs().forEach((name, slot) -> {
                int st = storage(slot);
                if (name.startsWith(StageGraph.TRANSFER) && writer[slot] == Phase.FORWARD && !readAfterForward.contains(st)
                        && !storages.contains(st) && !variableStorage.contains(st) && program.outputs().values().stream()
                                .filter(o -> storage(o) == st).count() == 1) {
                    sentThenFreed.add(st);
                }
            });
        }

        /** Moves each gradient reduction whose result only update instructions read (and its input's free) into the update. */
        private void deferReductions(List<Instruction> code, Phase[] phase) {
            Set<Integer> outputStorage = new HashSet<>();
            program.outputs().values().forEach(o -> outputStorage.add(storage(o)));
            for (int i = 0; i < code.size(); i++) {
                Instruction ins = code.get(i);
                if (phase[i] != Phase.BACKWARD || !(ins instanceof Instruction.AllReduce || ins instanceof Instruction.ReduceScatter)) {
                    continue;
                }
                int st = storage(ins.written());
                if (outputStorage.contains(st)) {
                    continue;
                }
                boolean readByUpdate = false;
                boolean readElsewhere = false;
                for (int j = i + 1; j < code.size(); j++) {
                    if (code.get(j) instanceof Instruction.Free) {
                        continue;
                    }
                    boolean reads = code.get(j).reads().stream().anyMatch(r -> storage(r) == st);
                    readByUpdate |= reads && phase[j] == Phase.UPDATE;
                    readElsewhere |= reads && phase[j] != Phase.UPDATE;
                }
                if (!readByUpdate || readElsewhere) {
                    continue;
                }
                phase[i] = Phase.UPDATE;
                Set<Integer> inputs = new HashSet<>();
                ins.reads().forEach(r -> inputs.add(storage(r)));
                for (int j = i + 1; j < code.size(); j++) {
                    if (code.get(j) instanceof Instruction.Free f && inputs.contains(storage(f.slot())) && phase[j] != Phase.UPDATE) {
                        phase[j] = Phase.UPDATE; // the partial sum now lives until the update reduces it
                    }
                }
            }
        }

        int storage(int slot) {
            int s = slot;
            while (program.slot(s).isAlias()) {
                s = program.slot(s).aliasOf();
            }
            return s;
        }
    }

    /**
     * @param plan          the pipeline plan; its stages' devices are numbered 0.. in stage order here
     * @param backends      the backend of each device, by that number
     * @param stageLinks    the collectives of one stage's mesh (a fresh instance per stage, devices numbered within it)
     * @param forwardLinks  point-to-point links for activations, devices numbered as for {@code backends}
     * @param backwardLinks point-to-point links for gradients, likewise
     */
    public PipelineRuntime(PipelinePlan plan, IntFunction<Backend<F, I>> backends, IntFunction<Collectives<F>> stageLinks,
                           Collectives<F> forwardLinks, Collectives<F> backwardLinks, long seed) {
        this.plan = plan;
        this.schedule = plan.schedule();
        this.microbatches = plan.microbatches();
        this.forwardLinks = forwardLinks;
        this.backwardLinks = backwardLinks;
        int next = 0;
        for (PipelineStage s : plan.stages()) {
            Stage st = new Stage(s, next);
            Collectives<F> links = stageLinks.apply(s.index());
            for (int d = 0; d < st.deviceCount(); d++) {
                st.devices.add(new DeviceExecutor<>(d, backends.apply(next + d), links, st.program, st.groups));
            }
            next += st.deviceCount();
            stages.add(st);
        }
        for (int d = 0; d < next; d++) {
            timings.add(new ArrayList<>());
        }
        this.pool = Executors.newFixedThreadPool(next, r -> {
            Thread t = new Thread(r, "alpa4j-pipeline-device");
            t.setDaemon(true);
            return t;
        });
        planTransfers();
        for (Stage st : stages) {
            allocateState(st, seed);
        }
    }

    private void allocateState(Stage st, long seed) {
        int n = st.deviceCount();
        int slots = st.program.slots().size();
        st.variables = new Object[n][slots];
        st.buffers = new Object[n][microbatches][slots];
        st.accumulators = new Object[n][slots];
        st.updateBuffers = new Object[n][slots];
        Graph g = st.graph.graph();
        for (Map.Entry<Integer, Integer> e : st.program.variables().entrySet()) {
            Tensor whole = Initializer.initial(g.node(e.getKey()), seed);
            for (DeviceExecutor<F, I> dev : st.devices) {
                Tensor block = ShardLayout.block(whole, st.program.slot(e.getValue()).spec(), st.groups, dev.device);
                Object b = dev.backend.allocate(st.program.slot(e.getValue()).local());
                dev.backend.upload(block, b);
                dev.use(st.variables[dev.device]);
                dev.bind(e.getValue(), b, true);
            }
        }
    }

    /** Cuts every transfer into the blocks each receiving device needs from each sending device. */
    private void planTransfers() {
        List<StageTransfer> transfers = new ArrayList<>(plan.transfers());
        transfers.sort(java.util.Comparator.comparing(StageTransfer::phase).thenComparingInt(StageTransfer::value)
                .thenComparingInt(StageTransfer::toStage));
        for (StageTransfer t : transfers) {
            if (t.phase() == Phase.UPDATE) {
                throw new IllegalStateException("value " + t.value() + " crosses from stage " + t.fromStage() + " to stage "
                        + t.toStage() + " in the update; only forward and backward values can");
            }
            if ((t.phase() == Phase.FORWARD) != (t.fromStage() < t.toStage())) {
                throw new IllegalStateException("value " + t.value() + " of the " + t.phase() + " pass goes from stage "
                        + t.fromStage() + " to stage " + t.toStage() + "; forward values must go to later stages and gradients to earlier ones");
            }
            Stage from = stages.get(t.fromStage());
            Stage to = stages.get(t.toStage());
            Integer sendSlot = from.program.outputs().get(StageGraph.TRANSFER + t.value());
            if (sendSlot == null) {
                throw new IllegalStateException("stage " + t.fromStage() + " does not output value " + t.value());
            }
            SlotInfo send = from.program.slot(sendSlot);
            int localNode = to.graph.local(t.value());
            List<Integer> recvSlots = to.program.inputs().entrySet().stream()
                    .filter(e -> e.getValue() == localNode && to.read.contains(e.getKey())).map(Map.Entry::getKey).sorted().toList();
            for (int recvSlot : recvSlots) {
                SlotInfo recv = to.program.slot(recvSlot);
                if (send.spec().isPartial() || recv.spec().isPartial() || send.global().dtype() != DType.F32) {
                    throw new IllegalStateException("cannot move value " + t.value() + " laid out " + send.spec() + " -> "
                            + recv.spec() + " (" + send.global() + ") between stages");
                }
                cut(t, from, sendSlot, send, to, recvSlot, recv);
            }
        }
    }

    private void cut(StageTransfer t, Stage from, int sendSlot, SlotInfo send, Stage to, int recvSlot, SlotInfo recv) {
        int rank = send.global().shape().rank();
        // sending devices grouped by the block they hold (replicas hold the same block)
        Map<List<Integer>, List<Integer>> holders = new LinkedHashMap<>();
        for (int d = 0; d < from.deviceCount(); d++) {
            holders.computeIfAbsent(boxed(blockStart(send, from.groups, d)), k -> new ArrayList<>()).add(d);
        }
        int[] sendSize = send.local().shape().dims();
        int[] recvSize = recv.local().shape().dims();
        for (int r = 0; r < to.deviceCount(); r++) {
            int[] rs = blockStart(recv, to.groups, r);
            for (Map.Entry<List<Integer>, List<Integer>> h : holders.entrySet()) {
                int[] ss = h.getKey().stream().mapToInt(Integer::intValue).toArray();
                int[] start = new int[rank];
                int[] size = new int[rank];
                boolean empty = false;
                for (int k = 0; k < rank; k++) {
                    start[k] = Math.max(ss[k], rs[k]);
                    int end = Math.min(ss[k] + sendSize[k], rs[k] + recvSize[k]);
                    size[k] = end - start[k];
                    empty |= size[k] <= 0;
                }
                if (empty) {
                    continue;
                }
                int sender = h.getValue().get(r % h.getValue().size());
                boolean whole = Arrays.equals(size, recvSize);
                Piece p = new Piece(t.phase(), t.value(), globalDevice(from, sender), sendSlot, globalDevice(to, r), recvSlot, size,
                        offset(start, ss, send.local().shape().strides()), offset(start, rs, recv.local().shape().strides()), whole);
                outbox.computeIfAbsent(box(p.from(), p.phase()), k -> new ArrayList<>()).add(p);
                inbox.computeIfAbsent(box(p.to(), p.phase()), k -> new ArrayList<>()).add(p);
            }
        }
    }

    private static int box(int device, Phase phase) {
        return 2 * device + (phase == Phase.FORWARD ? 0 : 1);
    }

    /** Elements from a shard's first element (at global coordinates {@code origin}) to global coordinates {@code at}. */
    private static long offset(int[] at, int[] origin, long[] strides) {
        long off = 0;
        for (int i = 0; i < at.length; i++) {
            off += (at[i] - origin[i]) * strides[i];
        }
        return off;
    }

    private static List<Integer> boxed(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    /** Global coordinates of the first element of {@code device}'s block of a slot. */
    private static int[] blockStart(SlotInfo s, MeshGroups groups, int device) {
        int rank = s.global().shape().rank();
        int[] start = new int[rank];
        for (int k = 0; k < rank; k++) {
            start[k] = groups.blockIndex(device, s.spec().dim(k).axes()) * s.local().dim(k);
        }
        return start;
    }

    public PipelinePlan plan() {
        return plan;
    }

    @Override
    public Map<String, Tensor> step(Map<String, Tensor> feeds) {
        if (failed != null) {
            throw new IllegalStateException("an earlier step of this pipeline failed (" + failed + "); its buffers and links are"
                    + " in an unknown state: make a new runtime");
        }
        long t0 = System.nanoTime();
        stepStart = t0;
        List<Map<String, Tensor>> micro = split(feeds);
        List<Future<?>> running = new ArrayList<>();
        for (Stage st : stages) {
            for (DeviceExecutor<F, I> dev : st.devices) {
                running.add(pool.submit(() -> runDevice(st, dev, micro)));
            }
        }
        try {
            MeshRuntime.await(running, "the pipeline ran a step");
        } catch (RuntimeException e) {
            failed = String.valueOf(e.getMessage());
            throw e;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Stage st : stages) {
            st.outputs.forEach((name, slot) -> out.put(name, gather(st, st.accumulators, slot)));
            for (DeviceExecutor<F, I> dev : st.devices) {
                finishStep(st, dev);
            }
        }
        stepNanos += System.nanoTime() - t0;
        return out;
    }

    /** The whole batch cut along its first dimension into the microbatches the stages' inputs take. */
    private List<Map<String, Tensor>> split(Map<String, Tensor> feeds) {
        Map<String, TensorType> wanted = new LinkedHashMap<>();
        for (Stage st : stages) {
            Graph g = st.graph.graph();
            st.fed.forEach((slot, name) -> wanted.put(name, g.node(st.program.inputs().get(slot)).type()));
        }
        List<Map<String, Tensor>> micro = new ArrayList<>();
        for (int m = 0; m < microbatches; m++) {
            micro.add(new HashMap<>());
        }
        wanted.forEach((name, type) -> {
            Tensor t = feeds.get(name);
            int[] dims = type.shape().dims();
            boolean ok = t != null && t.type().dtype() == type.dtype() && dims.length > 0
                    && t.type().shape().rank() == dims.length && t.type().dim(0) == dims[0] * microbatches;
            for (int k = 1; ok && k < dims.length; k++) {
                ok = t.type().dim(k) == dims[k];
            }
            if (!ok) {
                throw new IllegalArgumentException("input '" + name + "' needs " + microbatches + " microbatches of " + type
                        + (t == null ? ", none was fed" : ", got " + t.type()));
            }
            int n = Math.toIntExact(type.size());
            for (int m = 0; m < microbatches; m++) {
                Tensor part = Tensor.zeros(type);
                System.arraycopy(t.isInt() ? t.ints() : t.floats(), m * n, part.isInt() ? part.ints() : part.floats(), 0, n);
                micro.get(m).put(name, part);
            }
        });
        return micro;
    }

    private void runDevice(Stage st, DeviceExecutor<F, I> dev, List<Map<String, Tensor>> micro) {
        dev.beginStep();
        int d = dev.device;
        List<TaskTiming> mine = timings.get(globalDevice(st, d));
        mine.clear();
        for (int m = 0; m < microbatches; m++) {
            Object[] b = st.buffers[d][m];
            Arrays.fill(b, null);
            st.program.variables().values().forEach(v -> b[v] = st.variables[d][v]);
        }
        for (PipelineSchedule.Task task : schedule.stageOrder(stages.size(), microbatches, st.index)) {
            int m = task.microbatch();
            long begin = System.nanoTime() - stepStart;
            dev.use(st.buffers[d][m]);
            boolean forward = task.pass() == PipelineSchedule.Pass.FORWARD;
            Phase phase = forward ? Phase.FORWARD : Phase.BACKWARD;
            if (forward) {
                feed(st, dev, micro.get(m));
            }
            receive(st, dev, phase);
            long received = System.nanoTime() - stepStart;
            dev.run(forward ? st.forward : st.backward);
            long computed = System.nanoTime() - stepStart;
            send(st, dev, phase);
            if (forward) {
                releaseSent(st, dev, m);
            } else {
                accumulate(st, dev, m);
            }
            mine.add(new TaskTiming(st.index, d, m, task.pass(), begin, received, computed, System.nanoTime() - stepStart));
        }
        Object[] u = st.updateBuffers[d];
        Arrays.fill(u, null);
        st.program.variables().values().forEach(v -> u[v] = st.variables[d][v]);
        Kernels<F, I> k = dev.backend.kernels();
        for (int s : st.accumulated) {
            if (microbatches > 1) {
                @SuppressWarnings("unchecked")
                F acc = (F) st.accumulators[d][s];
                k.scale(acc, 1f / microbatches, acc, st.program.slot(s).local().size());
            }
        }
        st.accumulatedViews.forEach((slot, s) -> {
            u[slot] = st.accumulators[d][s];
            u[s] = st.accumulators[d][s];
        });
        dev.use(u);
        dev.run(st.update);
        dev.backend.synchronize();
    }

    private void feed(Stage st, DeviceExecutor<F, I> dev, Map<String, Tensor> batch) {
        st.fed.forEach((slot, name) -> {
            Object b = dev.allocate(slot);
            dev.backend.upload(ShardLayout.block(batch.get(name), st.program.slot(slot).spec(), st.groups, dev.device), b);
        });
    }

    @SuppressWarnings("unchecked")
    private void send(Stage st, DeviceExecutor<F, I> dev, Phase phase) {
        Collectives<F> links = phase == Phase.FORWARD ? forwardLinks : backwardLinks;
        long t0 = System.nanoTime();
        Kernels<F, I> k = dev.backend.kernels();
        for (Piece p : outbox.getOrDefault(box(globalDevice(st, dev.device), phase), List.of())) {
            SlotInfo s = st.program.slot(p.sendSlot());
            F src = (F) dev.buf[p.sendSlot()];
            if (src == null) {
                throw new IllegalStateException("stage " + st.index + " has no value " + p.value() + " to send");
            }
            long n = p.elements();
            TensorType staged = TensorType.f32(Math.toIntExact(n));
            F tmp = (F) dev.backend.allocate(staged);
            dev.account(staged.bytes());
            if (p.size().length == 0) {
                k.copy(src, 0, tmp, 0, 1);
            } else {
                k.strided(src, p.sendOffset(), s.local().shape().strides(), tmp, p.size());
            }
            links.send(p.from(), p.to(), tmp, n);
            dev.recordSend(staged.bytes());
            dev.backend.free(tmp);
            dev.account(-staged.bytes());
        }
        dev.addCollectiveNanos(System.nanoTime() - t0);
    }

    @SuppressWarnings("unchecked")
    private void receive(Stage st, DeviceExecutor<F, I> dev, Phase phase) {
        Collectives<F> links = phase == Phase.FORWARD ? forwardLinks : backwardLinks;
        long t0 = System.nanoTime();
        Kernels<F, I> k = dev.backend.kernels();
        for (Piece p : inbox.getOrDefault(box(globalDevice(st, dev.device), phase), List.of())) {
            if (dev.buf[p.recvSlot()] == null) {
                dev.allocate(p.recvSlot());
            }
            F dst = (F) dev.buf[p.recvSlot()];
            long n = p.elements();
            if (p.wholeBlock()) {
                links.recv(p.to(), p.from(), dst, n);
                continue;
            }
            TensorType staged = TensorType.f32(Math.toIntExact(n));
            F tmp = (F) dev.backend.allocate(staged);
            dev.account(staged.bytes());
            links.recv(p.to(), p.from(), tmp, n);
            // paste the block row by row (its last dimension is contiguous in both)
            long[] strides = st.program.slot(p.recvSlot()).local().shape().strides();
            int rank = p.size().length;
            int inner = p.size()[rank - 1];
            int[] idx = new int[rank];
            for (long row = 0; row < n / inner; row++) {
                long off = p.recvOffset();
                for (int i = 0; i < rank - 1; i++) {
                    off += idx[i] * strides[i];
                }
                k.copy(tmp, row * inner, dst, off, inner);
                for (int i = rank - 2; i >= 0; i--) {
                    if (++idx[i] < p.size()[i]) {
                        break;
                    }
                    idx[i] = 0;
                }
            }
            dev.backend.free(tmp);
            dev.account(-staged.bytes());
        }
        dev.addCollectiveNanos(System.nanoTime() - t0);
    }

    /** Frees the values this microbatch sent forward that its own backward pass does not read. */
    private void releaseSent(Stage st, DeviceExecutor<F, I> dev, int m) {
        Object[] b = st.buffers[dev.device][m];
        for (int s : st.sentThenFreed) {
            if (b[s] != null) {
                dev.release(b[s], s);
                clearStorage(st, b, s);
            }
        }
    }

    /** Adds this microbatch's gradients (and outputs) to the sums, then frees what the microbatch still holds. */
    @SuppressWarnings("unchecked")
    private void accumulate(Stage st, DeviceExecutor<F, I> dev, int m) {
        int d = dev.device;
        Object[] b = st.buffers[d][m];
        Kernels<F, I> k = dev.backend.kernels();
        for (int s : st.accumulated) {
            Object v = b[s];
            if (v == null) {
                throw new IllegalStateException("stage " + st.index + ": microbatch " + m + " left no value in slot " + s);
            }
            Object acc = st.accumulators[d][s];
            if (acc == null) {
                st.accumulators[d][s] = v; // the first microbatch's buffer becomes the sum
            } else {
                int n = Math.toIntExact(st.program.slot(s).local().size());
                k.binary(BinaryKind.ADD, (F) acc, new long[] {1}, (F) v, new long[] {1}, (F) acc, new int[] {n});
                dev.release(v, s);
            }
            clearStorage(st, b, s);
        }
        for (int s = 0; s < b.length; s++) {
            if (b[s] != null && !st.variableSlots.contains(s) && !st.program.slot(s).isAlias()) {
                dev.release(b[s], s);
                clearStorage(st, b, s);
            }
        }
        Arrays.fill(b, null);
    }

    /** Forgets a storage slot and every slot aliasing it in one buffer array. */
    private static void clearStorage(PipelineRuntime<?, ?>.Stage st, Object[] b, int storage) {
        Object v = b[storage];
        for (int s = 0; s < b.length; s++) {
            if (b[s] == v && st.storage(s) == storage) {
                b[s] = null;
            }
        }
    }

    /** After the update: new variable values replace the old, the sums of the outputs are freed. */
    private void finishStep(Stage st, DeviceExecutor<F, I> dev) {
        int d = dev.device;
        Object[] u = st.updateBuffers[d];
        dev.use(u);
        for (Map.Entry<Integer, Integer> e : st.program.updates().entrySet()) {
            // the new value's buffer, counted when computed, now stands for the variable
            dev.release(st.variables[d][e.getKey()], e.getKey());
            st.variables[d][e.getKey()] = u[e.getValue()];
        }
        for (int s : st.accumulated) {
            Object acc = st.accumulators[d][s];
            boolean freedByUpdate = st.update.stream().anyMatch(ins -> ins instanceof Instruction.Free f && f.slot() == s);
            if (acc != null && !freedByUpdate) {
                dev.release(acc, s); // a summed output, read back already
            }
            st.accumulators[d][s] = null;
        }
        Arrays.fill(u, null);
    }

    private Tensor gather(Stage st, Object[][] perDevice, int slot) {
        SlotInfo s = st.program.slot(slot);
        int storage = st.storage(slot);
        List<Tensor> blocks = new ArrayList<>();
        for (DeviceExecutor<F, I> dev : st.devices) {
            Object b = perDevice[dev.device][storage];
            blocks.add(dev.backend.download(b, s.local()));
        }
        return ShardLayout.assemble(blocks, s.spec(), s.global(), st.groups);
    }

    private static int globalDevice(PipelineRuntime<?, ?>.Stage st, int local) {
        return st.firstDevice + local;
    }

    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Stage st : stages) {
            Graph g = st.graph.graph();
            st.program.variables().forEach((node, slot) -> {
                if (g.node(node).isParameter()) {
                    m.putIfAbsent(g.node(node).name(), gather(st, st.variables, slot));
                }
            });
        }
        return m;
    }

    /** Every pass every device ran in the last step, devices in stage order, each in the order it ran them. */
    public List<List<TaskTiming>> lastStepTasks() {
        return timings.stream().map(List::copyOf).toList();
    }

    /** What each device (stages in order) took part in during the last step: its stage's collectives and its sends. */
    public List<List<CollectiveRecord>> collectives() {
        return stages.stream().flatMap(s -> s.devices.stream()).map(d -> List.copyOf(d.records())).toList();
    }

    /** Bytes per kind of the busiest device in the last step. */
    @Override
    public Map<String, Long> lastStepCollectiveBytes() {
        Map<String, Long> out = new TreeMap<>();
        for (List<CollectiveRecord> device : collectives()) {
            Map<String, Long> mine = new TreeMap<>();
            for (CollectiveRecord r : device) {
                mine.merge(r.kind().code(), r.bytes(), Long::sum);
            }
            mine.forEach((kind, bytes) -> out.merge(kind, bytes, Math::max));
        }
        return out;
    }

    /** Bytes sent between stages in the last step, all devices together. */
    public long lastStepTransferBytes() {
        return collectives().stream().flatMap(List::stream).filter(r -> r.kind() == CollectiveKind.SEND_RECV)
                .mapToLong(CollectiveRecord::bytes).sum();
    }

    /** Bytes each device holds now; between steps, only its variables. */
    public long[] liveBytesPerDevice() {
        return stages.stream().flatMap(s -> s.devices.stream()).mapToLong(DeviceExecutor::live).toArray();
    }

    @Override
    public long[] peakBytesPerDevice() {
        return stages.stream().flatMap(s -> s.devices.stream()).mapToLong(DeviceExecutor::peak).toArray();
    }

    @Override
    public long peakBytes() {
        return Arrays.stream(peakBytesPerDevice()).max().orElse(0);
    }

    @Override
    public long matmulNanos() {
        return stages.stream().flatMap(s -> s.devices.stream()).mapToLong(DeviceExecutor::matmulNanos).max().orElse(0);
    }

    @Override
    public long collectiveNanos() {
        return stages.stream().flatMap(s -> s.devices.stream()).mapToLong(DeviceExecutor::collectiveNanos).max().orElse(0);
    }

    @Override
    public long stepNanos() {
        return stepNanos;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        stages.forEach(s -> s.devices.forEach(d -> d.backend.close()));
    }
}
