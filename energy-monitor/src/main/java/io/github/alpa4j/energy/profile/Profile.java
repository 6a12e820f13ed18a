package io.github.alpa4j.energy.profile;

import io.github.alpa4j.energy.EnergyInputException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Time/energy measurements of every (stage, instruction) at several SM frequencies: what the
 * Perseus profiler records (REFERENCES.md §3, "Profile format") and what the planner's energy
 * model predicts when nothing was measured.
 *
 * <p>A profile covers stages 0..S−1, each with a forward and a backward instruction measured at
 * two or more distinct frequencies; anything less cannot give a frontier.
 */
public final class Profile {
    private final List<Measurement> measurements;
    private final List<Map<Instruction, List<Measurement>>> byStage;

    public Profile(List<Measurement> measurements) {
        this.measurements = List.copyOf(measurements);
        if (this.measurements.isEmpty()) {
            throw new EnergyInputException("the profile has no measurements");
        }
        int stages = this.measurements.stream().mapToInt(Measurement::stage).max().orElseThrow() + 1;
        List<Map<Instruction, List<Measurement>>> grouped = new ArrayList<>(stages);
        for (int s = 0; s < stages; s++) {
            grouped.add(new EnumMap<>(Instruction.class));
        }
        Set<String> seen = new HashSet<>();
        for (Measurement m : this.measurements) {
            if (!seen.add(m.stage() + "/" + m.instruction() + "/" + m.frequencyMhz())) {
                throw new EnergyInputException("stage " + m.stage() + " " + m.instruction().csvName()
                        + " is measured twice at " + m.frequencyMhz() + " MHz");
            }
            grouped.get(m.stage()).computeIfAbsent(m.instruction(), k -> new ArrayList<>()).add(m);
        }
        for (int s = 0; s < stages; s++) {
            for (Instruction instruction : Instruction.values()) {
                List<Measurement> rows = grouped.get(s).get(instruction);
                if (rows == null) {
                    throw new EnergyInputException("the profile has no " + instruction.csvName()
                            + " rows for stage " + s + " (it must cover stages 0.." + (stages - 1) + ")");
                }
                if (rows.size() < 2) {
                    throw new EnergyInputException("stage " + s + " " + instruction.csvName()
                            + " is measured at one frequency only; a frontier needs two or more");
                }
                rows.sort(Comparator.comparingInt(Measurement::frequencyMhz).reversed());
                grouped.get(s).put(instruction, List.copyOf(rows));
            }
        }
        this.byStage = List.copyOf(grouped);
    }

    /** Number of pipeline stages the profile covers. */
    public int stageCount() {
        return byStage.size();
    }

    /** Every row, in the order given. */
    public List<Measurement> measurements() {
        return measurements;
    }

    /** The widest range of times one (stage, instruction) was measured at over its clocks, in seconds. */
    public double widestTimeRangeSeconds() {
        double widest = 0;
        for (int s = 0; s < stageCount(); s++) {
            for (Instruction i : Instruction.values()) {
                List<Measurement> rows = measurements(s, i);
                if (rows != null && !rows.isEmpty()) {
                    double lo = rows.stream().mapToDouble(Measurement::timeSeconds).min().orElseThrow();
                    double hi = rows.stream().mapToDouble(Measurement::timeSeconds).max().orElseThrow();
                    widest = Math.max(widest, hi - lo);
                }
            }
        }
        return widest;
    }

    /** The rows of one (stage, instruction), fastest clock first. */
    public List<Measurement> measurements(int stage, Instruction instruction) {
        return byStage.get(stage).get(instruction);
    }

    /** The row of one (stage, instruction) at one clock. */
    public Measurement at(int stage, Instruction instruction, int frequencyMhz) {
        for (Measurement m : measurements(stage, instruction)) {
            if (m.frequencyMhz() == frequencyMhz) {
                return m;
            }
        }
        throw new IllegalArgumentException("stage " + stage + " " + instruction.csvName() + " was not measured at "
                + frequencyMhz + " MHz");
    }

    /** The row at the highest clock: what the GPU runs when nobody sets frequencies. */
    public Measurement atMaximumFrequency(int stage, Instruction instruction) {
        return measurements(stage, instruction).get(0);
    }
}
