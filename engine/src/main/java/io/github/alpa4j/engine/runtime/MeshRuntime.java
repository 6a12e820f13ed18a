package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.planner.cluster.DeviceMesh;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Runs a lowered plan on a mesh of devices, one thread each: feeds every device its block of the
 * batch, runs the program everywhere, applies the updates, and keeps what each device did (the
 * collectives it joined, its peak memory). Variables are created whole from the seed and cut into
 * the blocks the plan assigns, so any plan starts from the same numbers as one device.
 *
 * <p>In a job of several processes each runs this runtime for the devices it drives
 * ({@link RankGroup}): every process makes the same variables and batches, each loads and runs only
 * its devices' blocks, and the outputs are put together from every process's blocks.
 */
public final class MeshRuntime<F, I> implements StepRunner, AutoCloseable {
    private final MeshProgram program;
    private final MeshGroups groups;
    /** The devices this process drives, in device order. */
    private final List<DeviceExecutor<F, I>> devices = new ArrayList<>();
    private final RankGroup ranks;
    private final DeviceTasks tasks;
    private volatile String failed;
    /** Where the forward, backward and update instructions begin and end (contiguous in a training step), or null. */
    private final int[] phaseBounds;
    private final double[] phaseSeconds = new double[3];
    private long stepNanos;
    private final boolean lossScaled;
    private boolean skipped;

    public MeshRuntime(MeshProgram program, IntFunction<Backend<F, I>> backends, Collectives<F> collectives, long seed) {
        this(program, backends, collectives, seed, RankGroup.single(program.plan().mesh().deviceCount()));
    }

    /** The devices of the mesh that {@code ranks} says this process drives; {@code backends} is asked for those only. */
    public MeshRuntime(MeshProgram program, IntFunction<Backend<F, I>> backends, Collectives<F> collectives, long seed, RankGroup ranks) {
        this.program = program;
        this.ranks = ranks;
        DeviceMesh mesh = program.plan().mesh();
        this.groups = new MeshGroups(mesh.rows(), mesh.cols());
        this.tasks = new DeviceTasks(groups.devices(), "alpa4j-device");
        this.phaseBounds = phaseBounds(program);
        Graph g = program.plan().graph();
        this.lossScaled = UpdateCheck.lossScaled(g);
        for (int d = 0; d < groups.devices(); d++) {
            if (ranks.drives(d)) {
                devices.add(new DeviceExecutor<>(d, backends.apply(d), collectives, program, groups));
            }
        }
        for (Map.Entry<Integer, Integer> e : program.variables().entrySet()) {
            Tensor whole = Initializer.initial(g.node(e.getKey()), seed);
            for (DeviceExecutor<F, I> dev : devices) {
                dev.initVariable(e.getValue(), ShardLayout.block(whole, program.slot(e.getValue()).spec(), groups, dev.device));
            }
        }
    }

    public MeshProgram program() {
        return program;
    }

    @Override
    public Map<String, Tensor> step(Map<String, Tensor> feeds) {
        if (failed != null) {
            throw new IllegalStateException("an earlier step on this mesh failed (" + failed + "); its buffers and links are"
                    + " in an unknown state: make a new runtime");
        }
        long t0 = System.nanoTime();
        Graph g = program.plan().graph();
        devices.forEach(dev -> dev.beginStep(1));
        for (Map.Entry<Integer, Integer> e : program.inputs().entrySet()) {
            Node n = g.node(e.getValue());
            Tensor t = feeds.get(n.name());
            if (t == null || !t.type().equals(n.type())) {
                throw new IllegalArgumentException("input '" + n.name() + "' needs " + n.type()
                        + (t == null ? ", none was fed" : ", got " + t.type()));
            }
            for (DeviceExecutor<F, I> dev : devices) {
                dev.load(e.getKey(), t);
            }
        }
        List<Runnable> work = new ArrayList<>();
        for (DeviceExecutor<F, I> dev : devices) {
            work.add(() -> {
                if (dev == devices.getFirst() && phaseBounds != null) {
                    runTimingPhases(dev);
                } else {
                    dev.run(program.instructions());
                }
                dev.backend.synchronize();
            });
        }
        try {
            tasks.runAll(work, "running a step");
        } catch (RuntimeException e) {
            failed = String.valueOf(e.getMessage());
            ranks.abort(failed);
            throw e;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        program.outputs().forEach((name, slot) -> out.put(name, gather(slot, DeviceExecutor::download)));
        // every device keeps its old variables if any device's update overflowed (as an all-reduce of the flags would agree)
        skipped = lossScaled && devices.stream().anyMatch(dev -> UpdateCheck.updatesOverflow(dev, program, program.updates()));
        devices.forEach(dev -> dev.endStep(skipped ? Map.of() : program.updates()));
        stepNanos += System.nanoTime() - t0;
        return out;
    }

    /** Indices where each phase's instructions start (forward, backward, update) and the end; null if they interleave. */
    private static int[] phaseBounds(MeshProgram program) {
        Graph g = program.plan().graph();
        int[] bounds = new int[4];
        int phase = 0;
        for (int i = 0; i < program.instructions().size(); i++) {
            int p = g.node(program.owners().get(i)).phase().ordinal();
            if (p < phase) {
                return null;
            }
            while (phase < p) {
                bounds[++phase] = i;
            }
        }
        while (phase < 3) {
            bounds[++phase] = program.instructions().size();
        }
        return bounds;
    }

    /** The first device's step, timed phase by phase (its queued work waited for at each phase's end). */
    private void runTimingPhases(DeviceExecutor<F, I> dev) {
        List<io.github.alpa4j.engine.lower.Instruction> code = program.instructions();
        for (int p = 0; p < 3; p++) {
            long t0 = System.nanoTime();
            dev.run(code.subList(phaseBounds[p], phaseBounds[p + 1]));
            dev.backend.synchronize();
            phaseSeconds[p] = (System.nanoTime() - t0) * 1e-9;
        }
    }

    /**
     * Seconds of the last step's forward, backward and update instructions on this process's first device (its
     * collectives, and waiting for the others in them, included); NaN where the program's phases
     * interleave.
     */
    public double[] lastStepPhaseSeconds() {
        return phaseBounds == null ? new double[] {Double.NaN, Double.NaN, Double.NaN} : phaseSeconds.clone();
    }

    /** The whole value of a slot, from every device's block as {@code read} gives it. */
    private Tensor gather(int slot, BiFunction<DeviceExecutor<F, I>, Integer, Tensor> read) {
        SlotInfo s = program.slot(slot);
        List<Tensor> blocks = new ArrayList<>(java.util.Collections.nCopies(groups.devices(), (Tensor) null));
        for (DeviceExecutor<F, I> dev : devices) {
            blocks.set(dev.device, read.apply(dev, slot));
        }
        int[] all = java.util.stream.IntStream.range(0, groups.devices()).toArray();
        return ShardLayout.assemble(HostBlocks.allGather(ranks, all, blocks, s.local()), s.spec(), s.global(), groups);
    }

    @Override
    public Map<String, Tensor> parameters() {
        Graph g = program.plan().graph();
        Map<String, Tensor> m = new LinkedHashMap<>();
        program.variables().forEach((node, slot) -> {
            if (g.node(node).isParameter()) {
                m.put(g.node(node).name(), gather(slot, DeviceExecutor::downloadVariable));
            }
        });
        return m;
    }

    @Override
    public List<List<VariableShard>> variableLayout() {
        List<ProgramVariable> vars = ProgramVariable.of(program, program.plan().graph());
        List<List<VariableShard>> out = new ArrayList<>();
        for (int d = 0; d < groups.devices(); d++) {
            int device = d;
            out.add(vars.stream().map(v -> v.shard(0, groups, device)).toList());
        }
        return out;
    }

    /** {@inheritDoc} Null for the devices other processes drive. */
    @Override
    public List<List<Tensor>> variableBlocks() {
        List<ProgramVariable> vars = ProgramVariable.of(program, program.plan().graph());
        List<List<Tensor>> out = new ArrayList<>(java.util.Collections.nCopies(groups.devices(), (List<Tensor>) null));
        for (DeviceExecutor<F, I> dev : devices) {
            out.set(dev.device, vars.stream().map(v -> dev.downloadVariable(v.slot())).toList());
        }
        return out;
    }

    @Override
    public void setVariableBlocks(List<List<Tensor>> blocks) {
        List<ProgramVariable> vars = ProgramVariable.of(program, program.plan().graph());
        if (blocks.size() != groups.devices()) {
            throw new IllegalArgumentException(groups.devices() + " devices, got blocks for " + blocks.size());
        }
        for (DeviceExecutor<F, I> dev : devices) {
            List<Tensor> mine = blocks.get(dev.device);
            for (int i = 0; i < vars.size(); i++) {
                dev.initVariable(vars.get(i).slot(), vars.get(i).check(mine.get(i)));
            }
        }
    }

    /** The collectives each device took part in during the last step, in order. */
    public List<List<CollectiveRecord>> collectives() {
        return devices.stream().map(d -> List.copyOf(d.records())).toList();
    }

    @Override
    public Map<String, Long> lastStepCollectiveBytes() {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        for (CollectiveRecord r : devices.getFirst().records()) {
            bytes.merge(r.kind().code(), r.bytes(), Long::sum);
        }
        return bytes;
    }

    @Override
    public Map<String, Long> lastStepCollectiveNanos() {
        return CollectiveRecord.busiestNanos(collectives());
    }

    @Override
    public long[] peakBytesPerDevice() {
        return devices.stream().mapToLong(DeviceExecutor::peak).toArray();
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
    public long peakBytes() {
        long p = 0;
        for (long b : peakBytesPerDevice()) {
            p = Math.max(p, b);
        }
        return p;
    }

    @Override
    public long matmulNanos() {
        return devices.stream().mapToLong(DeviceExecutor::matmulNanos).max().orElse(0);
    }

    @Override
    public long collectiveNanos() {
        return devices.stream().mapToLong(DeviceExecutor::collectiveNanos).max().orElse(0);
    }

    @Override
    public long stepNanos() {
        return stepNanos;
    }

    @Override
    public void close() {
        tasks.close();
        devices.forEach(d -> d.backend.close());
    }
}
