package io.github.alpa4j.engine.runtime;

import io.github.alpa4j.engine.collective.MeshGroups;
import io.github.alpa4j.engine.lower.MeshProgram;
import io.github.alpa4j.engine.lower.SlotInfo;
import io.github.alpa4j.engine.tensor.Tensor;
import io.github.alpa4j.ir.Graph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A variable of a lowered program and its slot; a program's variables in name order are what checkpoints list. */
record ProgramVariable(String name, int slot, SlotInfo info) {

    /** The variables of {@code program} (whose nodes are {@code graph}'s), sorted by name. */
    static List<ProgramVariable> of(MeshProgram program, Graph graph) {
        List<ProgramVariable> out = new ArrayList<>();
        program.variables().forEach((node, slot) -> out.add(new ProgramVariable(graph.node(node).name(), slot, program.slot(slot))));
        out.sort(Comparator.comparing(ProgramVariable::name));
        return out;
    }

    /** Where {@code device} of a stage's {@code mesh} keeps this variable. */
    VariableShard shard(int stage, MeshGroups mesh, int device) {
        return new VariableShard(name, stage, info.global(), info.spec(), mesh, device);
    }

    /** Refuses a block whose type is not this device's local type. */
    Tensor check(Tensor block) {
        if (!block.type().equals(info.local())) {
            throw new IllegalArgumentException(name + " is held as " + info.local() + " on this device, got " + block.type());
        }
        return block;
    }
}
