package io.github.alpa4j.energy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a whole output file or nothing: the text goes to a temporary file beside the target,
 * which then replaces it in one rename, so a run that fails half-way never leaves a truncated file
 * where a good one was.
 */
public final class OutputFile {
    private OutputFile() {
    }

    public static void write(Path file, String text) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new EnergyInputException("cannot write " + file + ": its directory does not exist");
        }
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (AccessDeniedException e) {
            throw new EnergyInputException("cannot write " + file + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new EnergyInputException("cannot write " + file + ": its directory does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // the rename already happened, or the write failed and the message above says so
                }
            }
        }
    }
}
