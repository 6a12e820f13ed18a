package io.github.alpa4j.energy.control;

import static io.github.alpa4j.energy.profile.ProfileCsv.clip;

import io.github.alpa4j.energy.EnergyInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a frequency plan: a CSV with the header {@code instruction,frequency} and one row per
 * instruction in schedule order, e.g. {@code F(0,0),1410} (frequency in MHz, after the row's
 * last comma, so ids may hold commas). Blank lines and
 * lines starting with {@code #} are skipped; a bad row is a one-line error naming it.
 */
public final class FrequencyPlanCsv {
    private FrequencyPlanCsv() {
    }

    public static FrequencyPlan read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new EnergyInputException("cannot read the frequency plan " + file + ": " + e.getMessage());
        }
    }

    static FrequencyPlan parse(String text, String name) {
        List<FrequencyPlan.Step> steps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean header = false;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = name + " line " + (i + 1);
            if (!header) {
                String[] h = line.split(",", -1);
                if (h.length != 2 || !h[0].strip().equals("instruction") || !h[1].strip().equals("frequency")) {
                    throw new EnergyInputException(where + ": expected the header 'instruction,frequency', got '" + clip(line) + "'");
                }
                header = true;
                continue;
            }
            // the frequency follows the last comma: instruction ids such as F(0,3) hold commas themselves
            int comma = line.lastIndexOf(',');
            if (comma < 0) {
                throw new EnergyInputException(where + ": expected instruction,frequency, got '" + clip(line) + "'");
            }
            String[] f = {line.substring(0, comma), line.substring(comma + 1)};
            String id = f[0].strip();
            if (id.isEmpty()) {
                throw new EnergyInputException(where + ": empty instruction");
            }
            int mhz;
            try {
                mhz = Integer.parseInt(f[1].strip());
            } catch (NumberFormatException e) {
                throw new EnergyInputException(where + ": frequency '" + clip(f[1].strip()) + "' is not a whole number of MHz");
            }
            if (mhz <= 0) {
                throw new EnergyInputException(where + ": frequency must be positive, got " + mhz);
            }
            if (!seen.add(id)) {
                throw new EnergyInputException(where + ": instruction " + clip(id) + " appears twice");
            }
            steps.add(new FrequencyPlan.Step(id, mhz));
        }
        if (!header) {
            throw new EnergyInputException(name + " is empty: expected the header 'instruction,frequency' and one row per instruction");
        }
        if (steps.isEmpty()) {
            throw new EnergyInputException(name + " has no instructions");
        }
        return new FrequencyPlan(steps);
    }
}
