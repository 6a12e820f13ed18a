package io.github.alpa4j.engine.lower;

import io.github.alpa4j.planner.plan.IntraOpPlan;
import java.util.List;
import java.util.Map;

/**
 * A plan lowered for its mesh: the instruction list every device runs on its own shards, the slots
 * it uses, where variables and fed inputs live, which slots hold the named outputs, and the
 * updates that replace each variable's slot after a step.
 *
 * @param owners    the node whose lowering emitted each instruction (its reads of inputs, its op, its
 *                  output resharding; a free belongs to the last reader's node), aligned with {@code instructions}
 * @param variables node id of each parameter or state → its slot
 * @param inputs    slot → the input node fed into it (an input is fed once per layout its readers need)
 * @param outputs   output name → slot
 * @param updates   variable slot → slot of its new value
 */
public record MeshProgram(IntraOpPlan plan, List<SlotInfo> slots, List<Instruction> instructions,
                          List<Integer> owners, Map<Integer, Integer> variables, Map<Integer, Integer> inputs, Map<String, Integer> outputs,
                          Map<Integer, Integer> updates) {
    public MeshProgram {
        slots = List.copyOf(slots);
        instructions = List.copyOf(instructions);
        owners = List.copyOf(owners);
        if (owners.size() != instructions.size()) {
            throw new IllegalArgumentException(owners.size() + " owners for " + instructions.size() + " instructions");
        }
        variables = Map.copyOf(variables);
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
        updates = Map.copyOf(updates);
    }

    public SlotInfo slot(int id) {
        return slots.get(id);
    }

    /** The slot whose storage {@code slot} uses: itself, or the slot it aliases, followed to the end. */
    public int storage(int slot) {
        return Lowering.storage(slots, slot);
    }

    /** How many instructions move data between devices. */
    public long collectiveCount() {
        return instructions.stream().filter(Instruction::movesData).count();
    }
}
