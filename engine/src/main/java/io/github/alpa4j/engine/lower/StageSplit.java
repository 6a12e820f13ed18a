package io.github.alpa4j.engine.lower;

import io.github.alpa4j.ir.DType;
import io.github.alpa4j.ir.Graph;
import io.github.alpa4j.ir.Node;
import io.github.alpa4j.ir.Phase;
import io.github.alpa4j.planner.stage.StageGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A stage's lowered program cut into the passes a pipeline runs: a prologue once per iteration (what
 * is computed from variables alone, such as weights cast to the compute type: one copy for every
 * microbatch, freed when the update begins), the forward pass and the backward pass once per
 * microbatch, the update once per iteration. Each instruction goes to the phase of the
 * node it serves, except the gradient reductions that only the update reads: they move to the
 * update, because they are linear (reducing the sum of the microbatches' partial gradients once
 * equals summing the reduced ones) and the planner prices them once per iteration. What the update
 * reads from the other passes is summed over the microbatches; constants it reads are recomputed in
 * it. Computed once, when the plan is lowered.
 */
final class StageSplit {
    /** What the stage computes once per iteration before its first microbatch: values of variables alone (weight casts). */
    final List<Instruction> prologue = new ArrayList<>();
    /** Storages the prologue writes: every microbatch reads them; they are freed in the update. */
    final Set<Integer> perIteration = new TreeSet<>();
    final List<Instruction> forward = new ArrayList<>();
    final List<Instruction> backward = new ArrayList<>();
    final List<Instruction> update = new ArrayList<>();
    /** Storage slot summed over microbatches → the slots the update (or the fetch) reads it as. */
    final Map<Integer, List<Integer>> accumulated = new TreeMap<>();
    /** Input slots fed from the data (not received), by input name. */
    final Map<Integer, String> fed = new LinkedHashMap<>();
    /** Slots some instruction reads (an input slot nobody reads is neither fed nor received). */
    final Set<Integer> read = new HashSet<>();
    /** Storages of values sent forward that nothing here reads after the forward pass: freed once sent. */
    final Set<Integer> sentThenFreed = new TreeSet<>();

    private final int index;
    private final MeshProgram program;
    private final StageGraph graph;
    private final Set<Integer> readAfterForward = new HashSet<>();

    private StageSplit(int index, MeshProgram program, StageGraph graph) {
        this.index = index;
        this.program = program;
        this.graph = graph;
    }

    static StageSplit of(int index, MeshProgram program, StageGraph graph) {
        StageSplit s = new StageSplit(index, program, graph);
        s.split();
        s.findFed();
        return s;
    }

    private void split() {
        List<Instruction> code = program.instructions();
        Phase[] phase = new Phase[code.size()];
        boolean[] once = new boolean[code.size()];
        for (int i = 0; i < code.size(); i++) {
            phase[i] = graph.graph().node(program.owners().get(i)).phase();
            once[i] = graph.graph().perIteration(program.owners().get(i));
            if (once[i] && code.get(i).written() >= 0) {
                perIteration.add(program.storage(code.get(i).written()));
            }
        }
        deferReductions(code, phase);
        Phase[] writer = new Phase[program.slots().size()];
        Instruction[] writtenBy = new Instruction[program.slots().size()];
        Set<Integer> readByUpdate = new TreeSet<>();
        List<Instruction> constantsForUpdate = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            Instruction ins = code.get(i);
            Phase p = phase[i];
            boolean free = ins instanceof Instruction.Free;
            for (int r : ins.reads()) {
                if (!free) {
                    read.add(r);
                }
                Phase w = writer[r];
                if (w != null && w.compareTo(p) > 0) {
                    throw new IllegalStateException("stage " + index + ": a " + p + " instruction reads a value of the " + w + " pass");
                }
                if (p != Phase.FORWARD && !free) {
                    readAfterForward.add(program.storage(r));
                }
                if (p == Phase.UPDATE && w != Phase.UPDATE && !program.variables().containsValue(r)
                        && !perIteration.contains(program.storage(r))) {
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
            if (once[i]) {
                prologue.add(ins);
                continue;
            }
            if (ins instanceof Instruction.Free f && perIteration.contains(program.storage(f.slot()))) {
                update.add(0, ins); // every microbatch has read it: freed when the iteration's update begins
                continue;
            }
            switch (p) {
                case FORWARD -> forward.add(ins);
                case BACKWARD -> backward.add(ins);
                case UPDATE -> update.add(ins);
            }
        }
        update.addAll(0, constantsForUpdate);
        findAccumulated(readByUpdate, writer);
    }

    /** What is summed over microbatches: the gradients the update reads, and the stage's named outputs (losses). */
    private void findAccumulated(Set<Integer> readByUpdate, Phase[] writer) {
        Graph g = graph.graph();
        for (int r : readByUpdate) {
            SlotInfo s = program.slot(r);
            Node n = g.node(s.node());
            boolean fedInput = program.inputs().containsKey(r) && !graph.received().contains(graph.original(s.node()));
            if (fedInput || n.phase() != Phase.BACKWARD) {
                throw new IllegalStateException("stage " + index + ": the update reads " + n.name() + " (" + n.phase()
                        + "), which is not a gradient; only gradients can be summed over microbatches");
            }
            view(r);
        }
        Set<Integer> variableStorage = new HashSet<>();
        program.variables().values().forEach(v -> variableStorage.add(program.storage(v)));
        program.outputs().forEach((name, slot) -> {
            if (!name.startsWith(StageGraph.TRANSFER)) {
                SlotInfo s = program.slot(slot);
                if (variableStorage.contains(program.storage(slot)) || s.global().dtype() != DType.F32 || writer[slot] == null
                        || writer[slot] == Phase.UPDATE) {
                    throw new IllegalStateException("stage " + index + ": output '" + name + "' (" + s.global() + ", "
                            + writer[slot] + ") cannot be summed over microbatches; a pipeline fetches float losses of the passes");
                }
                view(slot);
            }
        });
        for (int value : program.updates().values()) {
            if (writer[value] != Phase.UPDATE) {
                throw new IllegalStateException("stage " + index + ": a variable's new value is computed in the "
                        + writer[value] + " pass; a pipeline updates variables once per iteration, in the update");
            }
        }
        program.outputs().forEach((name, slot) -> {
            int st = program.storage(slot);
            if (name.startsWith(StageGraph.TRANSFER) && writer[slot] == Phase.FORWARD && !readAfterForward.contains(st)
                    && !accumulated.containsKey(st) && !variableStorage.contains(st)
                    && program.outputs().values().stream().filter(o -> program.storage(o) == st).count() == 1) {
                sentThenFreed.add(st);
            }
        });
    }

    private void view(int slot) {
        List<Integer> views = accumulated.computeIfAbsent(program.storage(slot), k -> new ArrayList<>());
        if (!views.contains(slot)) {
            views.add(slot);
        }
    }

    /** Moves each gradient reduction whose result only update instructions read (and its input's free) into the update. */
    private void deferReductions(List<Instruction> code, Phase[] phase) {
        Set<Integer> outputStorage = new HashSet<>();
        program.outputs().values().forEach(o -> outputStorage.add(program.storage(o)));
        for (int i = 0; i < code.size(); i++) {
            Instruction ins = code.get(i);
            if (phase[i] != Phase.BACKWARD || !(ins instanceof Instruction.AllReduce || ins instanceof Instruction.ReduceScatter)) {
                continue;
            }
            int st = program.storage(ins.written());
            if (outputStorage.contains(st)) {
                continue;
            }
            boolean readByUpdate = false;
            boolean readElsewhere = false;
            for (int j = i + 1; j < code.size(); j++) {
                if (code.get(j) instanceof Instruction.Free) {
                    continue;
                }
                boolean reads = code.get(j).reads().stream().anyMatch(r -> program.storage(r) == st);
                readByUpdate |= reads && phase[j] == Phase.UPDATE;
                readElsewhere |= reads && phase[j] != Phase.UPDATE;
            }
            if (!readByUpdate || readElsewhere) {
                continue;
            }
            phase[i] = Phase.UPDATE;
            Set<Integer> inputs = new HashSet<>();
            ins.reads().forEach(r -> inputs.add(program.storage(r)));
            for (int j = i + 1; j < code.size(); j++) {
                if (code.get(j) instanceof Instruction.Free f && inputs.contains(program.storage(f.slot())) && phase[j] != Phase.UPDATE) {
                    phase[j] = Phase.UPDATE; // the partial sum now lives until the update reduces it
                }
            }
        }
    }

    /** Input slots fed from the data: inputs that are read and are not values received from another stage. */
    private void findFed() {
        Graph g = graph.graph();
        Set<Integer> received = new HashSet<>();
        graph.received().forEach(v -> received.add(graph.local(v)));
        program.inputs().forEach((slot, node) -> {
            if (!received.contains(node) && read.contains(slot)) {
                fed.put(slot, g.node(node).name());
            }
        });
    }
}
