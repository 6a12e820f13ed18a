package io.github.alpa4j.energy.profile;

import io.github.alpa4j.energy.EnergyInputException;

/** What a pipeline stage computes for one microbatch, as Perseus profiles it. */
public enum Instruction {
    FORWARD("forward"),
    BACKWARD("backward");

    private final String csvName;

    Instruction(String csvName) {
        this.csvName = csvName;
    }

    /** The spelling in the profile CSV's {@code instruction} column. */
    public String csvName() {
        return csvName;
    }

    /** Parses the CSV spelling; anything else is a user error. */
    public static Instruction fromCsv(String text) {
        for (Instruction instruction : values()) {
            if (instruction.csvName.equals(text)) {
                return instruction;
            }
        }
        throw new EnergyInputException("instruction '" + ProfileCsv.clip(text) + "' is neither 'forward' nor 'backward'");
    }
}
