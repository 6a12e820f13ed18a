package io.github.alpa4j.engine.energy;

import io.github.alpa4j.engine.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Straggler notices for a running job, through a file in its job directory ({@value #FILE}): one line per notice, the
 * iteration time in seconds a straggler imposes ({@code 0}: none any more). {@code energy straggler} adds a line by writing
 * the whole file anew beside it and renaming it over the old one, so the run never reads half a line; the run reads the
 * file at each iteration boundary and acts on the newest line it has not seen.
 */
public final class StragglerNotices {
    public static final String FILE = "straggler-notices";

    private final Path file;
    private int seen;

    /** Watches {@code jobDir}; notices already there when the run starts are acted on at the first boundary. */
    public StragglerNotices(Path jobDir) {
        this.file = jobDir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** Adds a notice to {@code jobDir}: {@code seconds} a straggler's iteration time, 0 when it is gone. */
    public static Path post(Path jobDir, double seconds) {
        if (!(seconds >= 0) || !Double.isFinite(seconds)) {
            throw new UserInputException("--time must be 0 (no straggler) or a straggler's iteration time in seconds, got " + seconds);
        }
        if (!Files.isDirectory(jobDir)) {
            throw new UserInputException("--job " + jobDir + ": no such directory (give the --job-dir the run was started with)");
        }
        Path file = jobDir.resolve(FILE);
        Path tmp = jobDir.resolve("." + FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            String old = Files.exists(file) ? Files.readString(file) : "";
            if (!old.isEmpty() && !old.endsWith("\n")) {
                old += "\n";
            }
            Files.writeString(tmp, old + String.format(Locale.ROOT, "%s%n", seconds));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UserInputException("cannot write the straggler notice to " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The newest notice not seen before, if any line came since the last call; a line that is not a number is skipped. */
    public OptionalDouble poll() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return OptionalDouble.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the straggler notices in " + file, e);
        }
        OptionalDouble newest = OptionalDouble.empty();
        for (int i = seen; i < lines.size(); i++) {
            try {
                double t = Double.parseDouble(lines.get(i).strip());
                if (t >= 0 && Double.isFinite(t)) {
                    newest = OptionalDouble.of(t);
                }
            } catch (NumberFormatException e) {
                // not a notice: skipped
            }
        }
        seen = Math.max(seen, lines.size());
        return newest;
    }
}
