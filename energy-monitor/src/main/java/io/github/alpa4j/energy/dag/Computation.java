package io.github.alpa4j.energy.dag;

import io.github.alpa4j.energy.profile.Instruction;

/** The forward or backward of one microbatch through one stage. Prints as {@code F(s,m)} / {@code B(s,m)}. */
public record Computation(int stage, int microbatch, Instruction instruction) implements DagNode {
    public Computation {
        if (stage < 0 || microbatch < 0) {
            throw new IllegalArgumentException("stage and microbatch start at 0: " + stage + ", " + microbatch);
        }
    }

    @Override
    public String toString() {
        return (instruction == Instruction.FORWARD ? "F(" : "B(") + stage + "," + microbatch + ")";
    }
}
