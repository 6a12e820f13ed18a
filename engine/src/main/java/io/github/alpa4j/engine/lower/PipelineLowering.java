package io.github.alpa4j.engine.lower;

import io.github.alpa4j.engine.collective.BlockTransfer;
import io.github.alpa4j.engine.collective.BlockTransfer.Channel;
import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.stage.PipelinePlan;
import io.github.alpa4j.planner.stage.PipelineStage;
import io.github.alpa4j.planner.stage.StageGraph;
import io.github.alpa4j.planner.stage.StageTransfer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a pipeline plan to the program of every device of every stage: each stage's intra-op plan
 * lowered for its own mesh and split into passes ({@link StageSplit}), and every value crossing
 * stages cut into the blocks each receiving device needs from each sending device ({@link
 * BlockTransfer#cut}), emitted as {@link Instruction.Send} after the producing pass and {@link
 * Instruction.Recv} before the consuming one. Sender and receiver list the pieces between two devices
 * in one order (values by phase, id and receiving stage), so messages arrive as expected.
 */
public final class PipelineLowering {
    private final PipelinePlan plan;
    private final List<MeshProgram> programs = new ArrayList<>();
    private final List<StageSplit> splits = new ArrayList<>();
    private final List<MeshGroups> groups = new ArrayList<>();
    private final List<Integer> firstDevice = new ArrayList<>();
    /** Per global device: the sends (and receives) of its forward and backward passes, in order. */
    private final Map<Integer, List<Instruction>> sends = new HashMap<>();
    private final Map<Integer, List<Instruction>> recvs = new HashMap<>();

    private PipelineLowering(PipelinePlan plan) {
        this.plan = plan;
    }

    public static PipelineProgram lower(PipelinePlan plan) {
        return new PipelineLowering(plan).run();
    }

    private PipelineProgram run() {
        int next = 0;
        for (PipelineStage s : plan.stages()) {
            MeshProgram p = Lowering.lower(s.plan());
            programs.add(p);
            splits.add(StageSplit.of(s.index(), p, s.graph()));
            groups.add(new MeshGroups(s.mesh().rows(), s.mesh().cols()));
            firstDevice.add(next);
            next += s.mesh().deviceCount();
        }
        lowerTransfers();
        List<StageProgram> stages = new ArrayList<>();
        for (PipelineStage s : plan.stages()) {
            stages.add(stage(s));
        }
        return new PipelineProgram(plan, stages);
    }

    private StageProgram stage(PipelineStage s) {
        int i = s.index();
        MeshProgram p = programs.get(i);
        StageSplit split = splits.get(i);
        List<StageProgram.DevicePasses> devices = new ArrayList<>();
        for (int d = 0; d < s.mesh().deviceCount(); d++) {
            int global = firstDevice.get(i) + d;
            List<Instruction> forwardIn = new ArrayList<>();
            split.fed.forEach((slot, name) -> forwardIn.add(new Instruction.Load(slot, name)));
            forwardIn.addAll(recvs.getOrDefault(box(global, Channel.FORWARD), List.of()));
            List<Instruction> forwardOut = new ArrayList<>(sends.getOrDefault(box(global, Channel.FORWARD), List.of()));
            split.sentThenFreed.forEach(st -> forwardOut.add(new Instruction.Free(st)));
            List<Instruction> backwardIn = recvs.getOrDefault(box(global, Channel.BACKWARD), List.of());
            List<Instruction> backwardOut = new ArrayList<>(sends.getOrDefault(box(global, Channel.BACKWARD), List.of()));
            split.accumulated.keySet().forEach(st -> backwardOut.add(new Instruction.Accumulate(st)));
            StageProgram.Pass forward = new StageProgram.Pass(forwardIn, split.forward, forwardOut);
            backwardOut.addAll(leftAfterBackward(p, List.of(forwardIn, split.forward, forwardOut, backwardIn, split.backward,
                    backwardOut)));
            StageProgram.Pass backward = new StageProgram.Pass(backwardIn, split.backward, backwardOut);
            List<Instruction> update = new ArrayList<>();
            split.accumulated.forEach((st, views) -> update.add(new Instruction.Average(st, views, plan.microbatches())));
            update.addAll(split.update);
            Set<Integer> shared = new HashSet<>();
            split.prologue.forEach(ins -> {
                if (ins.written() >= 0) {
                    shared.add(ins.written());
                }
            });
            split.prologue.forEach(ins -> {
                if (ins instanceof Instruction.Free f) {
                    shared.remove(f.slot());
                }
            });
            devices.add(new StageProgram.DevicePasses(split.prologue, shared, forward, backward, update));
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        p.outputs().forEach((name, slot) -> {
            if (!name.startsWith(StageGraph.TRANSFER)) {
                outputs.put(name, slot);
            }
        });
        return new StageProgram(s, p, groups.get(i), firstDevice.get(i), devices, outputs);
    }

    /**
     * Frees of what a microbatch still holds after the instructions of its passes (values sent and
     * kept for the backward pass, received gradients, inputs): found by following their allocations
     * and frees, so that a microbatch leaves only the variables behind.
     */
    private static List<Instruction> leftAfterBackward(MeshProgram p, List<List<Instruction>> passes) {
        Set<Integer> variables = new HashSet<>();
        p.variables().values().forEach(v -> variables.add(p.storage(v)));
        Set<Integer> live = new java.util.TreeSet<>();
        for (List<Instruction> code : passes) {
            for (Instruction ins : code) {
                switch (ins) {
                    case Instruction.Free f -> live.remove(f.slot());
                    case Instruction.Accumulate a -> live.remove(a.storage());
                    default -> {
                        int w = ins.written();
                        if (w >= 0 && !p.slot(w).isAlias() && !variables.contains(w)) {
                            live.add(w);
                        }
                    }
                }
            }
        }
        return live.stream().map(s -> (Instruction) new Instruction.Free(s)).toList();
    }

    /** Cuts every transfer into pieces and lists them as sends and receives of the devices involved. */
    private void lowerTransfers() {
        List<StageTransfer> transfers = new ArrayList<>(plan.transfers());
        transfers.sort(Comparator.comparing(StageTransfer::phase).thenComparingInt(StageTransfer::value)
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
            MeshProgram from = programs.get(t.fromStage());
            MeshProgram to = programs.get(t.toStage());
            Integer sendSlot = from.outputs().get(StageGraph.TRANSFER + t.value());
            if (sendSlot == null) {
                throw new IllegalStateException("stage " + t.fromStage() + " does not output value " + t.value());
            }
            SlotInfo send = from.slot(sendSlot);
            int localNode = plan.stages().get(t.toStage()).graph().local(t.value());
            Set<Integer> read = splits.get(t.toStage()).read;
            List<Integer> recvSlots = to.inputs().entrySet().stream()
                    .filter(e -> e.getValue() == localNode && read.contains(e.getKey())).map(Map.Entry::getKey).sorted().toList();
            Channel channel = t.phase() == Phase.FORWARD ? Channel.FORWARD : Channel.BACKWARD;
            for (int recvSlot : recvSlots) {
                SlotInfo recv = to.slot(recvSlot);
                if (send.spec().isPartial() || recv.spec().isPartial() || !send.global().dtype().isFloating()) {
                    throw new IllegalStateException("cannot move value " + t.value() + " laid out " + send.spec() + " -> "
                            + recv.spec() + " (" + send.global() + ") between stages");
                }
                for (BlockTransfer.Piece piece : BlockTransfer.cut(channel, layout(send, groups.get(t.fromStage())),
                        firstDevice.get(t.fromStage()), layout(recv, groups.get(t.toStage())), firstDevice.get(t.toStage()),
                        send.global().dtype().bytes())) {
                    sends.computeIfAbsent(box(piece.from(), channel), k -> new ArrayList<>()).add(new Instruction.Send(sendSlot, piece));
                    recvs.computeIfAbsent(box(piece.to(), channel), k -> new ArrayList<>()).add(new Instruction.Recv(recvSlot, piece));
                }
            }
        }
    }

    private static int box(int device, Channel channel) {
        return 2 * device + channel.ordinal();
    }

    /** How the devices of a mesh hold a slot: their local block and where each device's block starts. */
    private static BlockTransfer.Layout layout(SlotInfo s, MeshGroups mesh) {
        int rank = s.global().shape().rank();
        List<int[]> starts = new ArrayList<>();
        for (int d = 0; d < mesh.devices(); d++) {
            int[] start = new int[rank];
            for (int k = 0; k < rank; k++) {
                start[k] = mesh.blockIndex(d, s.spec().dim(k).axes()) * s.local().dim(k);
            }
            starts.add(start);
        }
        return new BlockTransfer.Layout(s.local().shape().dims(), s.local().shape().strides(), starts);
    }
}
