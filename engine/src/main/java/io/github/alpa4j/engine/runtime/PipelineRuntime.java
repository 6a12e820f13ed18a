package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.CollectiveKind;
import io.github.alpa4j.engine.collective.CollectiveRecord;
import io.github.alpa4j.engine.collective.Collectives;
import io.github.alpa4j.engine.collective.RankGroup;
import io.github.alpa4j.engine.lower.PipelineProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.engine.lower.StageProgram;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineSchedule;
import io.github.alpa4j.planner.stage.PipelineSchedule.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Runs a lowered pipeline: one thread per device of every stage. Each iteration cuts the batch into
 * the plan's microbatches; each device walks its stage's schedule (warm-up, steady state,
 * cool-down), running the forward or backward pass its program holds for that microbatch in the
 * microbatch's own frame of registers, then the update once. Everything a pass does (loads, receives,
 * compute, sends, sums over microbatches, frees) is an instruction lowering emitted; this class
 * decides nothing and only keeps what each device did when.
 *
 * <p>In a job of several processes each runs this runtime for the devices it drives
 * ({@link RankGroup}); the stages' outputs and measured times are shared among the processes.
 */
public final class PipelineRuntime<F, I> implements StepRunner, AutoCloseable {
    private final PipelineProgram program;
    private final PipelineSchedule schedule;
    private final int microbatches;
    /** The devices of each stage that this process drives, in stage order. */
    private final List<List<DeviceExecutor<F, I>>> devices = new ArrayList<>();
    private final RankGroup ranks;
    private final DeviceTasks tasks;
    private final List<List<TaskTiming>> timings = new ArrayList<>();
    /** Per step: each stage's mean forward and backward compute seconds per microbatch, on its first device. */
    private final StageSeconds stageSeconds = new StageSeconds();
    private long stepStart;
    private long stepNanos;
    private volatile TaskListener listener = TaskListener.NONE;
    private volatile boolean synchronizePasses;
    private volatile String failed;
    private final boolean lossScaled;
    private boolean skipped;

    /**
     * When one device ran one pass of one microbatch in the last step, in nanoseconds from the step's
     * start: it began, had received its inputs from other stages (waiting for them, and for a forward
     * pass loading its microbatch, included), had queued its instructions (on a synchronous backend
     * such as the CPU: run them), and had sent its outputs (and, after a backward pass, added its
     * gradients to the sums).
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

    /** Hears, on the device's own thread, that a device is about to compute one pass of one microbatch (its inputs received). */
    @FunctionalInterface
    public interface TaskListener {
        TaskListener NONE = (stage, device, microbatch, pass) -> { };

        void computing(int stage, int device, int microbatch, PipelineSchedule.Pass pass);
    }

    /**
     * Waits for each pass's compute to finish before timing its end, from the next step on: on an asynchronous
     * backend (CUDA) a {@link TaskTiming}'s compute is otherwise the time to queue it. {@code energy profile} asks for
     * this, at the price of the overlap of one pass's kernels with the next one's sends.
     */
    public void synchronizePasses(boolean on) {
        synchronizePasses = on;
    }

    /** Tells {@code l} of every pass each device computes from the next step on (the frequency controller sets clocks so). */
    public void listen(TaskListener l) {
        listener = java.util.Objects.requireNonNull(l);
    }

    /**
     * @param program       the lowered pipeline; its stages' devices are numbered 0.. in stage order
     * @param backends      the backend of each device, by that number
     * @param stageLinks    the collectives of one stage's mesh (a fresh instance per stage, devices numbered within it)
     * @param forwardLinks  point-to-point links for activations, devices numbered as for {@code backends}
     * @param backwardLinks point-to-point links for gradients, likewise
     */
    public PipelineRuntime(PipelineProgram program, IntFunction<Backend<F, I>> backends, IntFunction<Collectives<F>> stageLinks,
                           Collectives<F> forwardLinks, Collectives<F> backwardLinks, long seed) {
        this(program, backends, stageLinks, forwardLinks, backwardLinks, seed, RankGroup.single(program.deviceCount()));
    }

    /** The devices that {@code ranks} says this process drives; {@code backends} is asked for those only. */
    public PipelineRuntime(PipelineProgram program, IntFunction<Backend<F, I>> backends, IntFunction<Collectives<F>> stageLinks,
                           Collectives<F> forwardLinks, Collectives<F> backwardLinks, long seed, RankGroup ranks) {
        this.program = program;
        this.ranks = ranks;
        this.schedule = program.plan().schedule();
        this.microbatches = program.microbatches();
        for (StageProgram st : program.stages()) {
            Collectives<F> links = stageLinks.apply(st.index());
            List<DeviceExecutor<F, I>> mine = new ArrayList<>();
            for (int d = 0; d < st.deviceCount(); d++) {
                if (ranks.drives(st.firstDevice() + d)) {
                    mine.add(new DeviceExecutor<>(d, backends.apply(st.firstDevice() + d), links, forwardLinks, backwardLinks,
                            st.program(), st.groups()));
                }
                timings.add(new ArrayList<>());
            }
            devices.add(mine);
            initVariables(st, mine, seed);
        }
        this.tasks = new DeviceTasks(program.deviceCount(), "alpa4j-pipeline-device");
        this.lossScaled = program.stages().stream().anyMatch(st -> UpdateCheck.lossScaled(st.stage().graph().graph()));
    }

    private static <F, I> void initVariables(StageProgram st, List<DeviceExecutor<F, I>> devices, long seed) {
        Graph g = st.stage().graph().graph();
        st.program().variables().forEach((node, slot) -> {
            Tensor whole = Initializer.initial(g.node(node), seed);
            for (DeviceExecutor<F, I> dev : devices) {
                dev.initVariable(slot, ShardLayout.block(whole, st.program().slot(slot).spec(), st.groups(), dev.device));
            }
        });
    }

    public PipelinePlan plan() {
        return program.plan();
    }

    @Override
    public Map<String, Tensor> step(Map<String, Tensor> feeds) {
        if (failed != null) {
            throw new IllegalStateException("an earlier step of this pipeline failed (" + failed + "); its buffers and links are"
                    + " in an unknown state: make a new runtime");
        }
        long t0 = System.nanoTime();
        stepStart = t0;
        List<Map<String, Tensor>> micro = Microbatches.split(program, feeds);
        List<Runnable> work = new ArrayList<>();
        for (StageProgram st : program.stages()) {
            for (DeviceExecutor<F, I> dev : devices.get(st.index())) {
                work.add(() -> runDevice(st, dev, micro));
            }
        }
        try {
            tasks.runAll(work, "running a pipeline step");
        } catch (RuntimeException e) {
            failed = String.valueOf(e.getMessage());
            ranks.abort(failed);
            throw e;
        }
        stageSeconds.record(program, timings, ranks);
        Map<String, Tensor> out = new LinkedHashMap<>();
        // a loss-scaled step that overflowed on any device of any stage keeps every variable as it was
        skipped = lossScaled && program.stages().stream().anyMatch(st -> devices.get(st.index()).stream()
                .anyMatch(dev -> UpdateCheck.updatesOverflow(dev, st.program(), st.program().updates())));
        for (StageProgram st : program.stages()) {
            st.outputs().forEach((name, slot) -> out.put(name, gather(st, slot, DeviceExecutor::download)));
            devices.get(st.index()).forEach(dev -> dev.endStep(skipped ? Map.of() : st.program().updates()));
        }
        stepNanos += System.nanoTime() - t0;
        return out;
    }

    /**
     * Every step so far: for each stage, the mean seconds per microbatch of its forward and its backward
     * pass ([stage][0 forward, 1 backward]), measured on its first device, waiting for other stages excluded.
     */
    public List<double[][]> stageSecondsPerStep() {
        return stageSeconds.perStep();
    }

    /** One device's iteration: its stage's schedule, pass by pass, then the update. */
    private void runDevice(StageProgram st, DeviceExecutor<F, I> dev, List<Map<String, Tensor>> micro) {
        StageProgram.DevicePasses passes = st.devices().get(dev.device);
        List<TaskTiming> timeline = timings.get(st.firstDevice() + dev.device);
        timeline.clear();
        dev.beginStep(microbatches + 1);
        dev.useFrame(microbatches);
        dev.run(passes.prologue());          // once per iteration: weight casts, read by every microbatch
        dev.share(passes.perIteration());
        PipelineSchedule.StageTasks tasks = schedule.stageTasks(program.stages().size(), microbatches, st.index());
        for (Task t : tasks.warmUp()) {      // forwards that fill the pipeline
            timeline.add(run(st, dev, passes, t, micro));
        }
        for (Task t : tasks.steady()) {      // one forward, one backward
            timeline.add(run(st, dev, passes, t, micro));
        }
        for (Task t : tasks.coolDown()) {    // backwards that drain it
            timeline.add(run(st, dev, passes, t, micro));
        }
        dev.useFrame(microbatches);
        dev.run(passes.update());
        dev.backend.synchronize();
    }

    /** One pass of one microbatch in the microbatch's frame: receive, compute, send. */
    private TaskTiming run(StageProgram st, DeviceExecutor<F, I> dev, StageProgram.DevicePasses passes, Task t,
                           List<Map<String, Tensor>> micro) {
        long begin = System.nanoTime() - stepStart;
        boolean forward = t.pass() == PipelineSchedule.Pass.FORWARD;
        StageProgram.Pass pass = forward ? passes.forward() : passes.backward();
        dev.useFrame(t.microbatch());
        dev.feed(micro.get(t.microbatch()));
        dev.run(pass.receive());
        long received = System.nanoTime() - stepStart;
        listener.computing(st.index(), dev.device, t.microbatch(), t.pass());
        dev.run(pass.compute());
        if (synchronizePasses) {
            dev.backend.synchronize();
        }
        long computed = System.nanoTime() - stepStart;
        dev.run(pass.send());
        if (!forward) {
            dev.checkOnlyVariablesLeft("stage " + st.index() + "'s microbatch " + t.microbatch());
        }
        return new TaskTiming(st.index(), dev.device, t.microbatch(), t.pass(), begin, received, computed,
                System.nanoTime() - stepStart);
    }

    /** The whole value of a slot of a stage, from every device's block as {@code read} gives it. */
    private Tensor gather(StageProgram st, int slot, BiFunction<DeviceExecutor<F, I>, Integer, Tensor> read) {
        SlotInfo s = st.program().slot(slot);
        List<Tensor> blocks = new ArrayList<>(java.util.Collections.nCopies(st.deviceCount(), (Tensor) null));
        for (DeviceExecutor<F, I> dev : devices.get(st.index())) {
            blocks.set(dev.device, read.apply(dev, slot));
        }
        int[] all = java.util.stream.IntStream.range(st.firstDevice(), st.firstDevice() + st.deviceCount()).toArray();
        return ShardLayout.assemble(HostBlocks.allGather(ranks, all, blocks, s.local()), s.spec(), s.global(), st.groups());
    }

    @Override
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (StageProgram st : program.stages()) {
            Graph g = st.stage().graph().graph();
            st.program().variables().forEach((node, slot) -> {
                if (g.node(node).isParameter()) {
                    m.putIfAbsent(g.node(node).name(), gather(st, slot, DeviceExecutor::downloadVariable));
                }
            });
        }
        return m;
    }

    @Override
    public List<List<VariableShard>> variableLayout() {
        List<List<VariableShard>> out = new ArrayList<>();
        for (StageProgram st : program.stages()) {
            List<ProgramVariable> vars = ProgramVariable.of(st.program(), st.stage().graph().graph());
            for (int d = 0; d < st.deviceCount(); d++) {
                int device = d;
                out.add(vars.stream().map(v -> v.shard(st.index(), st.groups(), device)).toList());
            }
        }
        return out;
    }

    /** {@inheritDoc} Null for the devices other processes drive. */
    @Override
    public List<List<Tensor>> variableBlocks() {
        List<List<Tensor>> out = new ArrayList<>(java.util.Collections.nCopies(program.deviceCount(), (List<Tensor>) null));
        for (StageProgram st : program.stages()) {
            List<ProgramVariable> vars = ProgramVariable.of(st.program(), st.stage().graph().graph());
            for (DeviceExecutor<F, I> dev : devices.get(st.index())) {
                out.set(st.firstDevice() + dev.device, vars.stream().map(v -> dev.downloadVariable(v.slot())).toList());
            }
        }
        return out;
    }

    @Override
    public void setVariableBlocks(List<List<Tensor>> blocks) {
        if (blocks.size() != program.deviceCount()) {
            throw new IllegalArgumentException(program.deviceCount() + " devices, got blocks for " + blocks.size());
        }
        for (StageProgram st : program.stages()) {
            List<ProgramVariable> vars = ProgramVariable.of(st.program(), st.stage().graph().graph());
            for (DeviceExecutor<F, I> dev : devices.get(st.index())) {
                List<Tensor> mine = blocks.get(st.firstDevice() + dev.device);
                for (int i = 0; i < vars.size(); i++) {
                    dev.initVariable(vars.get(i).slot(), vars.get(i).check(mine.get(i)));
                }
            }
        }
    }

    private List<DeviceExecutor<F, I>> allDevices() {
        return devices.stream().flatMap(List::stream).toList();
    }

    /** When the last step began, on {@link System#nanoTime()}: add it to a {@link TaskTiming}'s offsets for absolute moments. */
    public long lastStepStartNanos() {
        return stepStart;
    }

    /** Every pass every device ran in the last step, devices in stage order, each in the order it ran them. */
    public List<List<TaskTiming>> lastStepTasks() {
        return timings.stream().map(List::copyOf).toList();
    }

    /** What each device (stages in order) took part in during the last step: its stage's collectives and its sends. */
    public List<List<CollectiveRecord>> collectives() {
        return allDevices().stream().map(d -> List.copyOf(d.records())).toList();
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
        return allDevices().stream().mapToLong(DeviceExecutor::live).toArray();
    }

    @Override
    public Map<String, Long> lastStepCollectiveNanos() {
        return CollectiveRecord.busiestNanos(collectives());
    }

    @Override
    public long[] peakBytesPerDevice() {
        return allDevices().stream().mapToLong(DeviceExecutor::peak).toArray();
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
        return Arrays.stream(peakBytesPerDevice()).max().orElse(0);
    }

    @Override
    public long matmulNanos() {
        return allDevices().stream().mapToLong(DeviceExecutor::matmulNanos).max().orElse(0);
    }

    @Override
    public long collectiveNanos() {
        return allDevices().stream().mapToLong(DeviceExecutor::collectiveNanos).max().orElse(0);
    }

    @Override
    public long stepNanos() {
        return stepNanos;
    }

    @Override
    public void close() {
        tasks.close();
        allDevices().forEach(d -> d.backend.close());
    }
}
