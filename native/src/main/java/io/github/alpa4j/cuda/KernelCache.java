package io.github.alpa4j.cuda;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Compiled kernels on disk, so NVRTC runs once per source, options, architecture and toolchain
 * (NVRTC and driver versions). The folder is {@code $ALPA4J_CACHE} or {@code ~/.cache/alpa4j/kernels};
 * files are written whole (temporary file, then rename), and a damaged one is compiled again.
 */
public final class KernelCache {
    private static final System.Logger LOG = System.getLogger(KernelCache.class.getName());
    private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

    /** What produces an image (cubin, or NUL-terminated PTX) when the cache has none. */
    @FunctionalInterface
    public interface Compiler {
        byte[] compile(KernelSource source, String arch, List<String> options);
    }

    private final Path dir;

    public KernelCache(Path dir) {
        this.dir = dir;
    }

    /** The cache in the standard folder. */
    public static KernelCache standard() {
        return new KernelCache(defaultDir(System.getenv(), System.getProperty("user.home")));
    }

    /** {@code $ALPA4J_CACHE} when set, else {@code <home>/.cache/alpa4j/kernels}. */
    static Path defaultDir(Map<String, String> env, String userHome) {
        String own = env.get("ALPA4J_CACHE");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        return Path.of(userHome, ".cache", "alpa4j", "kernels");
    }

    public Path dir() {
        return dir;
    }

    /** The SHA-256 (hex) of everything that decides the compiled image. */
    public static String key(KernelSource source, String arch, List<String> options, String toolchain) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            field(out, "alpa4j kernel cache v1");
            field(out, source.name());
            field(out, source.code());
            out.writeInt(source.headers().size());
            for (Map.Entry<String, String> h : source.headers().entrySet()) {
                field(out, h.getKey());
                field(out, h.getValue());
            }
            field(out, arch);
            out.writeInt(options.size());
            for (String o : options) {
                field(out, o);
            }
            field(out, toolchain);
            out.flush();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    private static void field(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** The file that holds (or will hold) the image for this key. */
    Path fileFor(KernelSource source, String arch, String key) {
        return dir.resolve(source.name() + "-" + arch + "-" + key.substring(0, 32) + ".bin");
    }

    /** The cached image, or {@code compiler}'s output, which is then cached. */
    public byte[] load(KernelSource source, String arch, List<String> options, String toolchain, Compiler compiler) {
        Path file = fileFor(source, arch, key(source, arch, options, toolchain));
        if (Files.isRegularFile(file)) {
            try {
                byte[] cached = Files.readAllBytes(file);
                if (looksWhole(cached)) {
                    return cached;
                }
                LOG.log(System.Logger.Level.WARNING, "damaged kernel cache file {0}: compiling again", file);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read kernel cache file {0} ({1}): compiling again", file, e.getMessage());
            }
        }
        byte[] image = compiler.compile(source, arch, options);
        store(file, image);
        return image;
    }

    /** A cubin starts with the ELF magic; PTX handed to the driver ends with a NUL. */
    static boolean looksWhole(byte[] image) {
        if (image.length >= 4 && image[0] == ELF[0] && image[1] == ELF[1] && image[2] == ELF[2] && image[3] == ELF[3]) {
            return true;
        }
        return image.length > 1 && image[image.length - 1] == 0;
    }

    private void store(Path file, byte[] image) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, image);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // the cache only saves time: an unwritable folder costs a compile per run, nothing more
            LOG.log(System.Logger.Level.WARNING, "cannot write kernel cache file {0} ({1})", file, e.getMessage());
        }
    }
}
