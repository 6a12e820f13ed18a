package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.Collectives.Reduction;
import io.github.alpa4j.engine.collective.DeviceGroup;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.collective.ShardCollectives;
import io.github.alpa4j.engine.lower.Instruction;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.ir.MatmulOp;
import io.github.alpa4j.ir.TensorType;
import io.github.alpa4j.kernels.Kernels;
import io.github.alpa4j.planner.sharding.MeshAxes;
import java.util.ArrayList;
import java.util.List;

/**
 * One device of a mesh running its program: its slots, the kernels and collectives of its backend,
 * the collectives it took part in, and the bytes it holds. Slots sharing storage (reshapes, in-place
 * all-reduces) are counted once.
 */
final class DeviceExecutor<F, I> {
    final int device;
    final Backend<F, I> backend;
    /** The slots' buffers: one array for a plain step; a pipeline swaps in one per microbatch (see {@link #use}). */
    Object[] buf;
    private final MeshProgram program;
    private final MeshGroups groups;
    private final KernelDispatch<F, I> dispatch;
    private final Collectives<F> collectives;
    private final ShardCollectives<F> shards;
    private final List<CollectiveRecord> records = new ArrayList<>();
    private long live;
    private long peak;
    private long matmulNanos;
    private long collectiveNanos;

    @SuppressWarnings("unchecked")
    DeviceExecutor(int device, Backend<F, I> backend, Collectives<F> collectives, MeshProgram program, MeshGroups groups) {
        this.device = device;
        this.backend = backend;
        this.program = program;
        this.groups = groups;
        this.buf = new Object[program.slots().size()];
        this.dispatch = new KernelDispatch<>(backend.kernels());
        this.collectives = collectives;
        this.shards = new ShardCollectives<>(collectives, backend.kernels(), new ShardCollectives.Allocator<>() {
            @Override
            public F allocate(long elements) {
                return (F) backend.allocate(TensorType.f32(Math.toIntExact(elements)));
            }

            @Override
            public void free(F buffer) {
                backend.free(buffer);
            }
        });
    }

    /** Places a value in a slot that lives across steps or is fed (variables, inputs). */
    void bind(int slot, Object buffer, boolean counted) {
        if (counted) {
            live += program.slot(slot).localBytes();
            peak = Math.max(peak, live);
        }
        buf[slot] = buffer;
    }

    void unbind(int slot) {
        live -= program.slot(slot).localBytes();
        buf[slot] = null;
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

    /** Time inside collectives (waiting for the slowest member included), so far. */
    long collectiveNanos() {
        return collectiveNanos;
    }

    List<CollectiveRecord> records() {
        return records;
    }

    void beginStep() {
        records.clear();
    }

    void run() {
        run(program.instructions());
    }

    /** Points the slots at {@code slots} (a microbatch's buffers in a pipeline). */
    void use(Object[] slots) {
        buf = slots;
    }

    /** Allocates a slot's buffer in the current array (counted), as an instruction writing it would. */
    Object allocate(int slot) {
        return fresh(slot);
    }

    /** Frees a buffer this device allocated for {@code slot} (storage, not an alias) outside the program's own frees. */
    void release(Object buffer, int slot) {
        backend.free(buffer);
        live -= program.slot(slot).localBytes();
    }

    /** Counts a temporary buffer of {@code bytes} (a transfer's staging) towards live memory; negative to release. */
    void account(long bytes) {
        live += bytes;
        peak = Math.max(peak, live);
    }

    /** Notes a point-to-point transfer this device sent. */
    void recordSend(long bytes) {
        records.add(new CollectiveRecord(CollectiveKind.SEND_RECV, "stage", 2, bytes));
    }

    /** Adds time spent moving data between devices outside the program's collectives. */
    void addCollectiveNanos(long nanos) {
        collectiveNanos += nanos;
    }

    /** Runs {@code code} (the whole program, or one phase of it) on the current slot array. */
    void run(List<Instruction> code) {
        for (Instruction ins : code) {
            boolean moves = !(ins instanceof Instruction.Compute || ins instanceof Instruction.Slice || ins instanceof Instruction.Free);
            long t0 = moves ? System.nanoTime() : 0;
            execute(ins);
            if (moves) {
                collectiveNanos += System.nanoTime() - t0;
            }
        }
    }

    private Object fresh(int slot) {
        SlotInfo s = program.slot(slot);
        if (s.isAlias()) {
            buf[slot] = buf[s.aliasOf()];
        } else {
            buf[slot] = backend.allocate(s.local());
            live += s.localBytes();
            peak = Math.max(peak, live);
        }
        return buf[slot];
    }

    @SuppressWarnings("unchecked")
    private F f(int slot) {
        return (F) buf[slot];
    }

    private DeviceGroup group(MeshAxes axes) {
        return groups.group(device, axes);
    }

    private void record(CollectiveKind kind, MeshAxes axes, long bytes) {
        records.add(new CollectiveRecord(kind, axes.toString(), group(axes).size(), bytes));
    }

    @SuppressWarnings("unchecked")
    private void execute(Instruction ins) {
        Kernels<F, I> k = backend.kernels();
        switch (ins) {
            case Instruction.Compute c -> {
                Object out = fresh(c.out());
                if (program.slot(c.out()).isAlias()) {
                    return; // a reshape: same storage, new shape
                }
                List<Object> in = new ArrayList<>(c.in().size());
                for (int s : c.in()) {
                    in.add(buf[s]);
                }
                int vocabStart = c.vocabAxes().isEmpty() ? 0
                        : groups.blockIndex(device, c.vocabAxes()) * vocabRows(c);
                long t0 = c.op() instanceof MatmulOp ? System.nanoTime() : 0;
                dispatch.run(c.op(), c.inTypes(), c.outType(), in, out, new KernelDispatch.Local(c.meanCount(), vocabStart));
                if (t0 != 0) {
                    matmulNanos += System.nanoTime() - t0;
                }
            }
            case Instruction.VocabCrossEntropy v -> vocabCrossEntropy(v, k);
            case Instruction.AllReduce a -> {
                fresh(a.out());
                collectives.allReduce(group(a.axes()), device, f(a.in()), a.type().size(), a.op());
                record(CollectiveKind.ALL_REDUCE, a.axes(), a.type().bytes());
            }
            case Instruction.AllGather a -> {
                fresh(a.out());
                shards.allGather(group(a.axes()), device, f(a.in()), a.inType().shape(), a.dim(), f(a.out()));
                record(CollectiveKind.ALL_GATHER, a.axes(), a.outType().bytes());
            }
            case Instruction.ReduceScatter a -> {
                fresh(a.out());
                shards.reduceScatter(group(a.axes()), device, f(a.in()), a.inType().shape(), a.dim(), f(a.out()));
                record(CollectiveKind.REDUCE_SCATTER, a.axes(), a.inType().bytes());
            }
            case Instruction.AllToAll a -> {
                fresh(a.out());
                shards.allToAll(group(a.axes()), device, f(a.in()), a.inType().shape(), a.fromDim(), a.toDim(), f(a.out()));
                record(CollectiveKind.ALL_TO_ALL, a.axes(), a.inType().bytes());
            }
            case Instruction.Slice s -> {
                fresh(s.out());
                int n = s.inType().dim(s.dim()) / s.outType().dim(s.dim());
                shards.slice(f(s.in()), s.inType().shape(), s.dim(), n, groups.blockIndex(device, s.axes()), f(s.out()));
            }
            case Instruction.Free fr -> {
                backend.free(buf[fr.slot()]);
                unbind(fr.slot());
            }
        }
    }

    /** Rows of this device's vocabulary shard: the table's (or its gradient's) first dimension. */
    private static int vocabRows(Instruction.Compute c) {
        return c.op() instanceof io.github.alpa4j.ir.EmbeddingOp.Embedding ? c.inTypes().get(1).dim(0) : c.outType().dim(0);
    }

    /** Megatron's vocabulary-parallel cross entropy: local row statistics, all-reduced, then local loss or gradient. */
    @SuppressWarnings("unchecked")
    private void vocabCrossEntropy(Instruction.VocabCrossEntropy v, Kernels<F, I> k) {
        Object out = fresh(v.out());
        int rows = Math.toIntExact(v.rows());
        int n = v.localVocab();
        DeviceGroup g = group(v.vocabAxes());
        TensorType rowType = TensorType.f32(rows);
        F max = (F) backend.allocate(rowType);
        F sum = (F) backend.allocate(rowType);
        F logits = f(v.logits());
        I labels = (I) buf[v.labels()];
        k.rowMax(logits, max, rows, n);
        collectives.allReduce(g, device, max, rows, Reduction.MAX);
        record(CollectiveKind.ALL_REDUCE, v.vocabAxes(), rowType.bytes());
        k.rowSumExp(logits, max, sum, rows, n);
        collectives.allReduce(g, device, sum, rows, Reduction.SUM);
        record(CollectiveKind.ALL_REDUCE, v.vocabAxes(), rowType.bytes());
        int vocabStart = g.rankOf(device) * n;
        float inv = (float) (1.0 / v.meanCount());
        if (v.gradient()) {
            k.crossEntropyGradFromStats(logits, labels, max, sum, f(v.dloss()), (F) out, rows, n, vocabStart, inv);
        } else {
            F target = (F) backend.allocate(rowType);
            k.pickTarget(logits, labels, target, rows, n, vocabStart);
            collectives.allReduce(g, device, target, rows, Reduction.SUM);
            record(CollectiveKind.ALL_REDUCE, v.vocabAxes(), rowType.bytes());
            k.crossEntropyFromStats(max, sum, target, (F) out, rows, inv);
            backend.free(target);
        }
        backend.free(max);
        backend.free(sum);
    }
}
