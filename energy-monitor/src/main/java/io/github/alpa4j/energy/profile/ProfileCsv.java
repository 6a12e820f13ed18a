package io.github.alpa4j.energy.profile;

import io.github.alpa4j.energy.EnergyInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the Perseus profile CSV, {@code stage,instruction,frequency,time,energy}
 * (MHz, seconds, joules). A bad row is reported in one line with its row number and content.
 */
public final class ProfileCsv {
    public static final String HEADER = "stage,instruction,frequency,time,energy";
    /** Stages are numbered below this: a profile covers every stage below its largest, and no pipeline is deeper. */
    public static final int MAX_STAGES = 10_000;

    private ProfileCsv() {
    }

    public static Profile read(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString());
        } catch (NoSuchFileException e) {
            throw new EnergyInputException("profile " + file + " does not exist");
        } catch (IOException e) {
            throw new EnergyInputException("cannot read profile " + file + ": " + e.getMessage());
        }
    }

    /** The most characters of a row or field an error message repeats. */
    private static final int SHOWN = 60;

    /** {@code text} as an error message quotes it: whole when short, else its start and its length. */
    public static String clip(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "... (" + text.length() + " characters)";
    }

    /** Reads a profile; {@code source} names it in error messages. */
    public static Profile read(Reader reader, String source) {
        List<Measurement> rows = new ArrayList<>();
        Map<String, Integer> firstRow = new HashMap<>();
        Map<String, String> firstContent = new HashMap<>();
        Map<String, Integer> frequencies = new HashMap<>();
        try {
            BufferedReader lines = new BufferedReader(reader);
            String header = lines.readLine();
            if (header == null || !header.strip().replace(" ", "").equals(HEADER)) {
                throw new EnergyInputException(source + " row 1: the header must be '" + HEADER + "'");
            }
            int rowNumber = 1;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                rowNumber++;
                if (line.isBlank()) {
                    continue;
                }
                Measurement m = parse(line.strip(), source + " row " + rowNumber + " '" + clip(line.strip()) + "'");
                String key = m.stage() + "," + m.instruction().csvName();
                String exact = key + "," + m.frequencyMhz();
                if (firstRow.putIfAbsent(exact, rowNumber) != null) {
                    throw new EnergyInputException(source + " row " + rowNumber + " '" + clip(line.strip()) + "': stage "
                            + m.stage() + " " + m.instruction().csvName() + " at " + m.frequencyMhz()
                            + " MHz repeats row " + firstRow.get(exact));
                }
                firstRow.putIfAbsent(key, rowNumber);
                firstContent.putIfAbsent(key, clip(line.strip()));
                frequencies.merge(key, 1, Integer::sum);
                rows.add(m);
            }
        } catch (IOException e) {
            throw new EnergyInputException("cannot read profile " + source + ": " + e.getMessage());
        }
        if (rows.isEmpty()) {
            throw new EnergyInputException(source + " has a header but no rows");
        }
        int stages = rows.stream().mapToInt(Measurement::stage).max().orElseThrow() + 1;
        for (int s = 0; s < stages; s++) {
            for (Instruction instruction : Instruction.values()) {
                String key = s + "," + instruction.csvName();
                if (!frequencies.containsKey(key)) {
                    throw new EnergyInputException(source + ": no rows for stage " + s + " " + instruction.csvName()
                            + " (a profile must cover stages 0.." + (stages - 1) + ", forward and backward)");
                }
                if (frequencies.get(key) < 2) {
                    throw new EnergyInputException(source + " row " + firstRow.get(key) + " '" + firstContent.get(key)
                            + "': stage " + s + " " + instruction.csvName()
                            + " has this one frequency only; a frontier needs two or more");
                }
            }
        }
        return new Profile(rows);
    }

    private static Measurement parse(String line, String where) {
        String[] fields = line.split(",", -1);
        if (fields.length != 5) {
            throw new EnergyInputException(where + ": expected 5 fields (" + HEADER + "), found " + fields.length);
        }
        int stage = integer(fields[0], "stage", where);
        if (stage >= MAX_STAGES) {
            throw new EnergyInputException(where + ": stage " + stage + " is beyond the " + MAX_STAGES + " stages a profile may have");
        }
        Instruction instruction;
        try {
            instruction = Instruction.fromCsv(fields[1].strip());
        } catch (EnergyInputException e) {
            throw new EnergyInputException(where + ": " + e.getMessage());
        }
        int frequency = integer(fields[2], "frequency", where);
        double time = number(fields[3], "time", where);
        double energy = number(fields[4], "energy", where);
        if (frequency == 0) {
            throw new EnergyInputException(where + ": frequency must be positive");
        }
        if (time == 0) {
            throw new EnergyInputException(where + ": time must be positive");
        }
        return new Measurement(stage, instruction, frequency, time, energy);
    }

    private static int integer(String field, String column, String where) {
        double value = number(field, column, where);
        if (value != Math.rint(value) || value > Integer.MAX_VALUE) {
            throw new EnergyInputException(where + ": " + column + " '" + clip(field.strip()) + "' is not a whole number");
        }
        return (int) value;
    }

    private static double number(String field, String column, String where) {
        double value;
        try {
            value = Double.parseDouble(field.strip());
        } catch (NumberFormatException e) {
            throw new EnergyInputException(where + ": " + column + " '" + clip(field.strip()) + "' is not a number");
        }
        if (!Double.isFinite(value)) {
            throw new EnergyInputException(where + ": " + column + " '" + clip(field.strip()) + "' is not a finite number");
        }
        if (value < 0) {
            throw new EnergyInputException(where + ": " + column + " " + clip(field.strip()) + " is negative");
        }
        return value;
    }

    public static void write(Profile profile, Path file) {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            write(profile, writer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write profile " + file, e);
        }
    }

    /** Writes every row with full double precision, so reading it back gives the same profile. */
    public static void write(Profile profile, Writer writer) throws IOException {
        write(profile.measurements(), writer);
    }

    /**
     * Writes rows that need not make a frontier yet (one clock only, as {@code energy profile} measures
     * without {@code --apply-clocks}); {@link #read} takes them back when each stage has two clocks or more.
     */
    public static void write(java.util.List<Measurement> rows, Writer writer) throws IOException {
        writer.write(HEADER);
        writer.write('\n');
        for (Measurement m : rows) {
            writer.write(m.stage() + "," + m.instruction().csvName() + "," + m.frequencyMhz() + ","
                    + m.timeSeconds() + "," + m.energyJoules() + "\n");
        }
    }
}
