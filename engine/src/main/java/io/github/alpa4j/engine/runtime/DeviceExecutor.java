package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.BlockTransfer;
import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.DeviceGroup;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.collective.ShardCollectives;
import io.github.alpa4j.engine.lower.Instruction;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.ir.ElementwiseOp.BinaryKind;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device running its program: its registers, the kernels, collectives and block transfers of its
 * backend, the collectives it took part in, and the bytes it holds. Registers come in frames: a
 * plain step uses one; a pipeline one per microbatch in flight and one for the update. Variables
 * live across steps and are bound into every frame; sums over microbatches live beside the frames.
 * Slots sharing storage (reshapes, in-place all-reduces) are counted once.
 */
final class DeviceExecutor<F, I> {
    final int device;
    final Backend<F, I> backend;
    private final MeshProgram program;
    private final MeshGroups groups;
    private final KernelDispatch<F, I> dispatch;
    private final Collectives<F> collectives;
    private final ShardCollectives<F> shards;
    private final BlockTransfer<F> transfers;
    private final VocabParallelCrossEntropy<F, I> vocabCrossEntropy;
    private final boolean[] variable;
    private final boolean[] shared;
    private final Object[] variables;
    private final Object[] accumulators;
    private Object[][] frames = new Object[0][];
    private Object[] frame;
    private Map<String, Tensor> feeds = Map.of();
    private final List<CollectiveRecord> records = new ArrayList<>();
    private long live;
    private long peak;
    private long matmulNanos;
    private long collectiveNanos;

    /** A device of a mesh: collectives within it only. */
    DeviceExecutor(int device, Backend<F, I> backend, Collectives<F> collectives, MeshProgram program, MeshGroups groups) {
        this(device, backend, collectives, null, null, program, groups);
    }

    /** A device of a pipeline stage: also links to other stages' devices, for activations and for gradients. */
    @SuppressWarnings("unchecked")
    DeviceExecutor(int device, Backend<F, I> backend, Collectives<F> collectives, Collectives<F> forwardLinks,
                   Collectives<F> backwardLinks, MeshProgram program, MeshGroups groups) {
        this.device = device;
        this.backend = backend;
        this.program = program;
        this.groups = groups;
        this.dispatch = new KernelDispatch<>(backend.kernels());
        this.collectives = collectives;
        ShardCollectives.Allocator<F> scratch = new ShardCollectives.Allocator<>() {
            @Override
            public F allocate(long elements) {
                return (F) backend.allocate(TensorType.f32(Math.toIntExact(elements)));
            }

            @Override
            public void free(F buffer) {
                backend.free(buffer);
            }
        };
        this.shards = new ShardCollectives<>(collectives, backend.kernels(), scratch);
        this.transfers = forwardLinks == null ? null : new BlockTransfer<>(forwardLinks, backwardLinks, backend.kernels(), scratch);
        this.vocabCrossEntropy = new VocabParallelCrossEntropy<>(this, backend, collectives);
        int slots = program.slots().size();
        this.variable = new boolean[slots];
        this.shared = new boolean[slots];
        program.variables().values().forEach(v -> variable[v] = true);
        this.variables = new Object[slots];
        this.accumulators = new Object[slots];
    }

    /** Sets a variable's buffer from this device's block of its value (its initial one, or a checkpoint's). */
    void initVariable(int slot, Tensor block) {
        Object old = variables[slot];
        variables[slot] = upload(slot, block);
        if (old != null) {
            release(slot, old);
        }
    }

    /** Starts a step with {@code count} frames, each holding the variables only. */
    void beginStep(int count) {
        records.clear();
        if (frames.length != count) {
            frames = new Object[count][program.slots().size()];
        }
        for (Object[] f : frames) {
            System.arraycopy(variables, 0, f, 0, f.length);
        }
        frame = frames[0];
    }

    /** Makes frame {@code f} (a microbatch's, or the update's) the one instructions read and write. */
    void useFrame(int f) {
        frame = frames[f];
    }

    /** The microbatch the next {@link Instruction.Load}s take their blocks from, whole tensors by input name. */
    void feed(Map<String, Tensor> batch) {
        feeds = batch;
    }

    /** Places this device's block of the whole tensor {@code whole} in {@code slot} of the current frame. */
    void load(int slot, Tensor whole) {
        frame[slot] = upload(slot, ShardLayout.block(whole, program.slot(slot).spec(), groups, device));
    }

    private Object upload(int slot, Tensor block) {
        Object b = backend.allocate(program.slot(slot).local());
        backend.upload(block, b);
        count(program.slot(slot).localBytes());
        return b;
    }

    /** The value of {@code slot} in the current frame, as a host tensor. */
    Tensor download(int slot) {
        return backend.download(frame[slot], program.slot(slot).local());
    }

    /** The current value of a variable, as a host tensor. */
    Tensor downloadVariable(int slot) {
        return backend.download(variables[slot], program.slot(slot).local());
    }

    /**
     * Ends a step on the current frame: each update's new value replaces its variable (its bytes, counted
     * when computed, now stand for the variable), and whatever else the frame holds (fetched outputs,
     * inputs nothing read) is freed.
     */
    void endStep(Map<Integer, Integer> updates) {
        for (Map.Entry<Integer, Integer> u : updates.entrySet()) {
            release(u.getKey(), variables[u.getKey()]);
            variables[u.getKey()] = frame[u.getValue()];
            frame[u.getValue()] = null;
        }
        for (int s = 0; s < frame.length; s++) {
            if (frame[s] != null && !variable[s] && !program.slot(s).isAlias()) {
                release(s, frame[s]);
            }
        }
        for (Object[] f : frames) {
            Arrays.fill(f, null);
        }
    }

    /** Binds the current frame's {@code slots} (a pipeline's per-iteration values) into every frame, for this step. */
    void share(Set<Integer> slots) {
        for (int s : slots) {
            shared[s] = true;
            for (Object[] f : frames) {
                f[s] = frame[s];
            }
        }
    }

    /** Checks that the current frame holds nothing but variables (a microbatch after its backward pass). */
    void checkOnlyVariablesLeft(String what) {
        for (int s = 0; s < frame.length; s++) {
            if (frame[s] != null && !variable[s] && !shared[s] && !program.slot(s).isAlias()) {
                throw new IllegalStateException(what + " left slot " + s + " (" + program.slot(s).global() + ") allocated on device "
                        + device + "; lowering must free it");
            }
        }
    }

    long peak() {
        return peak;
    }

    /** Bytes held now. */
    long live() {
        return live;
    }

    long matmulNanos() {
        return matmulNanos;
    }

    /** Time inside collectives and transfers (waiting for the slowest member included), so far. */
    long collectiveNanos() {
        return collectiveNanos;
    }

    List<CollectiveRecord> records() {
        return records;
    }

    /** Runs {@code code} (a whole program, or one part of a pass) on the current frame. */
    void run(List<Instruction> code) {
        for (Instruction ins : code) {
            long t0 = ins.movesData() ? System.nanoTime() : 0;
            execute(ins);
            if (t0 != 0) {
                collectiveNanos += System.nanoTime() - t0;
            }
        }
    }

    private void count(long bytes) {
        live += bytes;
        peak = Math.max(peak, live);
    }

    private void release(int slot, Object buffer) {
        backend.free(buffer);
        live -= program.slot(slot).localBytes();
    }

    private Object fresh(int slot) {
        SlotInfo s = program.slot(slot);
        if (s.isAlias()) {
            frame[slot] = frame[s.aliasOf()];
        } else {
            frame[slot] = backend.allocate(s.local());
            count(s.localBytes());
        }
        return frame[slot];
    }

    @SuppressWarnings("unchecked")
    private F f(int slot) {
        return (F) frame[slot];
    }

    /** This device's group along {@code axes}. */
    DeviceGroup groupOf(MeshAxes axes) {
        return groups.group(device, axes);
    }

    /** Notes a collective this device took part in, begun at {@code since} (System.nanoTime()). */
    void recordCollective(CollectiveKind kind, MeshAxes axes, long bytes, long since) {
        records.add(new CollectiveRecord(kind, axes.toString(), groupOf(axes).size(), bytes, System.nanoTime() - since));
    }

    private void execute(Instruction ins) {
        switch (ins) {
            case Instruction.Compute c -> compute(c);
            case Instruction.VocabCrossEntropy v -> vocabCrossEntropy.run(v);
            case Instruction.AllReduce a -> {
                fresh(a.out());
                long t0 = System.nanoTime();
                collectives.allReduce(groupOf(a.axes()), device, f(a.in()), a.type().size(), a.op());
                recordCollective(CollectiveKind.ALL_REDUCE, a.axes(), a.type().bytes(), t0);
                roundSum(a.type(), a.out());
            }
            case Instruction.AllGather a -> {
                fresh(a.out());
                long t0 = System.nanoTime();
                shards.allGather(groupOf(a.axes()), device, f(a.in()), a.inType().shape(), a.dim(), f(a.out()));
                recordCollective(CollectiveKind.ALL_GATHER, a.axes(), a.outType().bytes(), t0);
            }
            case Instruction.ReduceScatter a -> {
                fresh(a.out());
                long t0 = System.nanoTime();
                shards.reduceScatter(groupOf(a.axes()), device, f(a.in()), a.inType().shape(), a.dim(), f(a.out()));
                recordCollective(CollectiveKind.REDUCE_SCATTER, a.axes(), a.inType().bytes(), t0);
                roundSum(a.outType(), a.out());
            }
            case Instruction.AllToAll a -> {
                fresh(a.out());
                long t0 = System.nanoTime();
                shards.allToAll(groupOf(a.axes()), device, f(a.in()), a.inType().shape(), a.fromDim(), a.toDim(), f(a.out()));
                recordCollective(CollectiveKind.ALL_TO_ALL, a.axes(), a.inType().bytes(), t0);
            }
            case Instruction.Slice s -> {
                fresh(s.out());
                int n = s.inType().dim(s.dim()) / s.outType().dim(s.dim());
                shards.slice(f(s.in()), s.inType().shape(), s.dim(), n, groups.blockIndex(device, s.axes()), f(s.out()));
            }
            case Instruction.Free fr -> {
                release(fr.slot(), frame[fr.slot()]);
                frame[fr.slot()] = null;
            }
            case Instruction.Load l -> load(l.slot(), feeds.get(l.input()));
            case Instruction.Send s -> send(s);
            case Instruction.Recv r -> recv(r);
            case Instruction.Accumulate a -> accumulate(a.storage());
            case Instruction.Average a -> average(a);
        }
    }

    /** A sum of bf16 or f16 values, computed in f32, rounded back to its type (as a GPU holding the type stores it). */
    private void roundSum(TensorType t, int slot) {
        if (KernelDispatch.isNarrow(t)) {
            backend.kernels().round(t.dtype(), f(slot), f(slot), t.size());
        }
    }

    private void compute(Instruction.Compute c) {
        Object out = fresh(c.out());
        if (program.slot(c.out()).isAlias()) {
            return; // a reshape: same storage, new shape
        }
        List<Object> in = new ArrayList<>(c.in().size());
        for (int s : c.in()) {
            in.add(frame[s]);
        }
        int vocabStart = c.vocabAxes().isEmpty() ? 0 : groups.blockIndex(device, c.vocabAxes()) * vocabRows(c);
        long t0 = c.op() instanceof MatmulOp ? System.nanoTime() : 0;
        dispatch.run(c.op(), c.inTypes(), c.outType(), in, out, new KernelDispatch.Local(c.meanCount(), vocabStart));
        if (t0 != 0) {
            matmulNanos += System.nanoTime() - t0;
        }
    }

    /** Rows of this device's vocabulary shard: the table's (or its gradient's) first dimension. */
    private static int vocabRows(Instruction.Compute c) {
        return c.op() instanceof io.github.alpa4j.ir.EmbeddingOp.Embedding ? c.inTypes().get(1).dim(0) : c.outType().dim(0);
    }

    private void send(Instruction.Send s) {
        if (frame[s.slot()] == null) {
            throw new IllegalStateException("device " + device + " has no value in slot " + s.slot() + " to send");
        }
        long staged = s.piece().stagedBytes(true);
        long t0 = System.nanoTime();
        count(staged);
        transfers.send(s.piece(), f(s.slot()));
        count(-staged);
        records.add(new CollectiveRecord(CollectiveKind.SEND_RECV, "stage", 2, s.piece().bytes(), System.nanoTime() - t0));
    }

    private void recv(Instruction.Recv r) {
        if (frame[r.slot()] == null) {
            fresh(r.slot());
        }
        long staged = r.piece().stagedBytes(false);
        count(staged);
        transfers.recv(r.piece(), f(r.slot()));
        count(-staged);
    }

    /** Adds the microbatch's value to the sum (the first microbatch's buffer becomes it) and lets go of the buffer. */
    @SuppressWarnings("unchecked")
    private void accumulate(int storage) {
        Object v = frame[storage];
        if (v == null) {
            throw new IllegalStateException("device " + device + ": the microbatch left no value in slot " + storage + " to sum");
        }
        if (accumulators[storage] == null) {
            accumulators[storage] = v;
        } else {
            int n = Math.toIntExact(program.slot(storage).local().size());
            backend.kernels().binary(BinaryKind.ADD, (F) accumulators[storage], new long[] {1}, (F) v, new long[] {1},
                    (F) accumulators[storage], new int[] {n});
            release(storage, v);
        }
        frame[storage] = null;
    }

    /** The mean over the microbatches of an accumulated storage, bound in the current frame under its views. */
    @SuppressWarnings("unchecked")
    private void average(Instruction.Average a) {
        Object sum = accumulators[a.storage()];
        if (sum == null) {
            throw new IllegalStateException("device " + device + ": nothing was summed in slot " + a.storage());
        }
        accumulators[a.storage()] = null;
        if (a.microbatches() > 1) {
            Kernels<F, I> k = backend.kernels();
            k.scale((F) sum, 1f / a.microbatches(), (F) sum, program.slot(a.storage()).local().size());
        }
        frame[a.storage()] = sum;
        a.views().forEach(v -> frame[v] = sum);
    }

    /** The buffer of a slot in the current frame. */
    Object slot(int s) {
        return frame[s];
    }

    /** Allocates the buffer an instruction writes {@code s} to. */
    Object output(int s) {
        return fresh(s);
    }
}
