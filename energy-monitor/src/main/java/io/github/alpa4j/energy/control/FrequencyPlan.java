package io.github.alpa4j.energy.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The graphics clock each instruction of one GPU's stage runs at, e.g. {@code F(0,3) → 1410 MHz}
 * (Perseus's per-computation frequencies, one GPU's share).
 *
 * @param steps (instruction id, MHz) in schedule order; an id appears once
 */
public record FrequencyPlan(List<Step> steps) {
    /** One instruction and its clock. */
    public record Step(String instruction, int mhz) {
        public Step {
            if (instruction == null || instruction.isBlank()) {
                throw new IllegalArgumentException("a frequency plan step needs an instruction id");
            }
            if (mhz <= 0) {
                throw new IllegalArgumentException("frequency of " + instruction + " must be positive, got " + mhz + " MHz");
            }
        }
    }

    public FrequencyPlan {
        steps = List.copyOf(steps);
        Map<String, Integer> seen = new HashMap<>();
        for (Step s : steps) {
            if (seen.put(s.instruction(), s.mhz()) != null) {
                throw new IllegalArgumentException("instruction " + s.instruction() + " appears twice in the frequency plan");
            }
        }
    }

    /** The clock planned for {@code instruction}, if the plan has it. */
    public OptionalInt mhz(String instruction) {
        for (Step s : steps) {
            if (s.instruction().equals(instruction)) {
                return OptionalInt.of(s.mhz());
            }
        }
        return OptionalInt.empty();
    }
}
