package io.github.alpa4j.engine.io;

import io.github.alpa4j.engine.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Output files written whole or not at all (through the energy module's {@code OutputFile}: a
 * temporary file in the same directory, forced to disk, renamed over the target), and {@link #check},
 * which finds an unusable output path before any work is done.
 */
public final class OutputFile {
    private OutputFile() {
    }

    /**
     * Refuses, in one line, an output path that cannot be written or that names one of {@code inputs}:
     * a directory, a file or directory without write permission, a missing parent that cannot be made.
     */
    public static void check(String flag, Path file, Path... inputs) {
        Path abs = file.toAbsolutePath().normalize();
        for (Path in : inputs) {
            if (in != null && abs.equals(in.toAbsolutePath().normalize())) {
                throw new UserInputException(flag + " " + file + " is also an input of this command; write the output elsewhere");
            }
        }
        if (Files.isDirectory(abs)) {
            throw new UserInputException(flag + " " + file + " is a directory; give a file name");
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            throw new UserInputException(flag + " " + file + " is not writable; give another path or change its permissions");
        }
        Path dir = abs.getParent();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new UserInputException(flag + " " + file + ": cannot create files in " + (existing == null ? dir : existing));
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new UserInputException(flag + " " + file + " is not a regular file; give a file name");
        }
    }

    /** Writes {@code text} (UTF-8) to {@code file} atomically; a failure is a one-line user error and leaves {@code file} as it was. */
    public static void write(Path file, String text) {
        io.github.alpa4j.energy.OutputFile.write(file, text);
    }

    /** Writes {@code bytes} to {@code file} atomically. */
    public static void write(Path file, byte[] bytes) {
        io.github.alpa4j.energy.OutputFile.write(prepared(file), bytes);
    }

    /** Writes what {@code body} puts in the channel to {@code file} atomically (see the energy module's {@code OutputFile}). */
    public static void write(Path file, io.github.alpa4j.energy.OutputFile.Body body) {
        io.github.alpa4j.energy.OutputFile.write(prepared(file), body);
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot sync a directory are left as they are. */
    public static void forceDirectory(Path dir) {
        io.github.alpa4j.energy.OutputFile.forceDirectory(dir);
    }

    private static Path prepared(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UserInputException("cannot write " + file + ": cannot create " + parent + ": " + e.getMessage(), e);
        }
        return file;
    }
}
