package io.github.alpa4j.engine.io;

import io.github.alpa4j.engine.UserInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Output files written whole or not at all: the bytes go to a temporary file in the same directory,
 * are forced to disk, and the temporary file is renamed over the target; a failure leaves the target
 * as it was. {@link #check} finds an unusable path before any work is done.
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

    /** Writes {@code text} (UTF-8) to {@code file} atomically. */
    public static void write(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code file} atomically; a failure is a one-line user error and leaves {@code file} as it was. */
    public static void write(Path file, byte[] bytes) {
        write(file, ch -> {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }

    /** What goes into an output file, streamed (a checkpoint's shards may not fit one array). */
    @FunctionalInterface
    public interface Body {
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    /**
     * Writes what {@code body} puts in the channel to {@code file} atomically: a temporary file in the
     * same directory, forced to disk, renamed over the target, and the rename forced to disk with the
     * directory. A failure is a one-line user error and leaves {@code file} as it was.
     */
    public static void write(Path file, Body body) {
        Path abs = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            forceDirectory(abs.getParent());
        } catch (IOException e) {
            throw new UserInputException("cannot write " + file + ": " + e.getMessage() + " (the previous file, if any, is unchanged)", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot sync a directory are left as they are. */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system syncs directories (the rename itself is already atomic)
        }
    }
}
