package io.github.alpa4j.engine.lower;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Inserts a {@link Instruction.Free} after the last instruction that reads or writes each storage
 * (a slot and the slots aliasing it). Variables, outputs and update values are kept.
 */
final class FreePass {
    private FreePass() {
    }

    /** The program with its frees, and the owner node of every instruction (a free takes its last reader's). */
    record Result(List<Instruction> code, List<Integer> owners) {
    }

    static Result insert(List<Instruction> code, List<Integer> owners, List<SlotInfo> slots, Collection<Integer> variables,
                         Collection<Integer> outputs, Collection<Integer> updates) {
        int[] last = new int[slots.size()];
        java.util.Arrays.fill(last, -1);
        for (int i = 0; i < code.size(); i++) {
            for (int s : touched(code.get(i))) {
                int st = Lowering.storage(slots, s);
                last[st] = Math.max(last[st], i);
            }
        }
        Set<Integer> pinned = new HashSet<>();
        for (Collection<Integer> c : List.of(variables, outputs, updates)) {
            for (int s : c) {
                pinned.add(Lowering.storage(slots, s));
            }
        }
        List<List<Integer>> freeAt = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            freeAt.add(new ArrayList<>());
        }
        for (int s = 0; s < slots.size(); s++) {
            if (!slots.get(s).isAlias() && !pinned.contains(s) && last[s] >= 0) {
                freeAt.get(last[s]).add(s);
            }
        }
        List<Instruction> out = new ArrayList<>();
        List<Integer> own = new ArrayList<>();
        for (int i = 0; i < code.size(); i++) {
            out.add(code.get(i));
            own.add(owners.get(i));
            for (int s : freeAt.get(i)) {
                out.add(new Instruction.Free(s));
                own.add(owners.get(i));
            }
        }
        return new Result(out, own);
    }

    /** Slots an instruction reads or writes (the pass runs before any free exists). */
    static List<Integer> touched(Instruction ins) {
        List<Integer> l = new ArrayList<>(ins.reads());
        if (ins.written() >= 0) {
            l.add(ins.written());
        }
        return l;
    }
}
