package io.github.alpa4j.energy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a whole output file or nothing: the bytes go to a temporary file beside the target, are
 * forced to disk, and the temporary file then replaces the target in one rename, so a run that fails
 * half-way never leaves a truncated file where a good one was. Every module's outputs are written
 * through it (the engine's {@code OutputFile} adds the up-front checks of output paths).
 */
public final class OutputFile {
    private OutputFile() {
    }

    public static void write(Path file, String text) {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

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
        void writeTo(java.nio.channels.WritableByteChannel channel) throws IOException;
    }

    /**
     * Writes what {@code body} puts in the channel to {@code file} atomically: a temporary file beside
     * it, forced to disk, renamed over the target, and the rename forced to disk with the directory.
     */
    public static void write(Path file, Body body) {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new EnergyInputException("cannot write " + file + ": its directory does not exist");
        }
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(temporary,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(ch);
                ch.force(true);
            }
            keepPermissions(temporary, absolute);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
            forceDirectory(directory);
        } catch (AccessDeniedException e) {
            throw new EnergyInputException("cannot write " + file + ": permission denied");
        } catch (NoSuchFileException e) {
            throw new EnergyInputException("cannot write " + file + ": its directory does not exist");
        } catch (IOException e) {
            throw new EnergyInputException("cannot write " + file + ": " + e.getMessage() + " (the previous file, if any, is unchanged)");
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // the write failed and the message above says so
                }
            }
        }
    }

    /** Makes a rename in {@code dir} durable; file systems that cannot sync a directory are left as they are. */
    public static void forceDirectory(Path dir) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system syncs directories (the rename itself is already atomic)
        }
    }

    /**
     * The temporary file (made private to its owner) takes the target's permissions, or a new file's usual
     * ones (read for all, write for the owner) where there is none yet.
     */
    private static void keepPermissions(Path temporary, Path target) throws IOException {
        if (!temporary.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.exists(target) ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temporary, p);
    }
}
