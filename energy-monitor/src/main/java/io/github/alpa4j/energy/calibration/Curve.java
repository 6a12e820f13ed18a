package io.github.alpa4j.energy.calibration;

import io.github.alpa4j.energy.EnergyInputException;
import io.github.alpa4j.energy.model.GpuSpec;
import io.github.alpa4j.energy.profile.Instruction;
import io.github.alpa4j.energy.profile.Measurement;
import io.github.alpa4j.energy.profile.Profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The measurements of one (stage, instruction) of a profile, fastest clock first: what the
 * calibration fits and the model check compares with.
 */
public record Curve(int stage, Instruction instruction, List<Measurement> rows) {
    /** Fewer points than this cannot tell a curve's shape from its level. */
    public static final int MIN_FREQUENCIES = 3;

    public Curve {
        rows = List.copyOf(rows);
    }

    /**
     * Every curve of {@code profile}, checked against {@code gpu}: three or more frequencies each,
     * all within the GPU's clock range (a profile measured on another GPU is a user error).
     */
    public static List<Curve> of(Profile profile, GpuSpec gpu) {
        List<Curve> curves = new ArrayList<>();
        for (int s = 0; s < profile.stageCount(); s++) {
            for (Instruction instruction : Instruction.values()) {
                List<Measurement> rows = profile.measurements(s, instruction);
                if (rows.size() < MIN_FREQUENCIES) {
                    throw new EnergyInputException("stage " + s + " " + instruction.csvName() + " is measured at "
                            + rows.size() + " frequencies; fitting the model needs " + MIN_FREQUENCIES
                            + " or more per instruction");
                }
                int highest = rows.get(0).frequencyMhz();
                int lowest = rows.get(rows.size() - 1).frequencyMhz();
                if (highest > gpu.maxClockMhz() || lowest < gpu.minClockMhz()) {
                    throw new EnergyInputException("stage " + s + " " + instruction.csvName() + " is measured at "
                            + lowest + "-" + highest + " MHz, outside " + gpu.name() + "'s clocks "
                            + gpu.minClockMhz() + "-" + gpu.maxClockMhz() + " MHz; is --gpu the GPU that was measured?");
                }
                for (Measurement m : rows) {
                    if (!(m.energyJoules() > 0)) {
                        throw new EnergyInputException("stage " + s + " " + instruction.csvName() + " at "
                                + m.frequencyMhz() + " MHz has no energy; the model is fitted to positive energies");
                    }
                }
                curves.add(new Curve(s, instruction, rows));
            }
        }
        return curves;
    }

    /** {@code stage 3 forward}, for reports. */
    public String label() {
        return "stage " + stage + " " + instruction.csvName();
    }

    public Measurement fastest() {
        return rows.get(0);
    }
}
