package io.github.alpa4j.engine.profile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A checksum of the compiled code that decides how fast a device runs: the classes of the packages of the
 * given anchor classes (the kernels, the runtime, the collectives). A measured profile belongs to the code
 * it measured; faster kernels make it stale. Read from the jar's directory (each entry's stored CRC, no
 * decompression) or, when running from build folders, from the class files themselves.
 */
public final class CodeFingerprint {
    private CodeFingerprint() {
    }

    /** Eight hex digits over every class of the anchors' packages, in name order; each jar or folder read once. */
    public static String of(Class<?>... anchors) {
        Map<Path, Set<String>> packages = new LinkedHashMap<>();
        for (Class<?> a : anchors) {
            packages.computeIfAbsent(location(a), k -> new HashSet<>()).add(a.getPackageName());
        }
        TreeMap<String, Long> classes = new TreeMap<>();
        packages.forEach((where, pkgs) -> collect(where, pkgs, classes));
        return digest(classes);
    }

    /** Each class of package {@code pkg} (dotted) found in {@code where} (a jar or a folder of classes), by its CRC-32. */
    static void collect(Path where, String pkg, TreeMap<String, Long> classes) {
        collect(where, Set.of(pkg), classes);
    }

    private static void collect(Path where, Set<String> pkgs, TreeMap<String, Long> classes) {
        Set<String> paths = new HashSet<>();
        pkgs.forEach(p -> paths.add(p.replace('.', '/') + "/"));
        try {
            if (Files.isDirectory(where)) {
                for (String path : paths) {
                    fromDirectory(where, path, classes);
                }
            } else {
                fromJar(where, paths, classes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the code of " + pkgs + " in " + where, e);
        }
    }

    static String digest(TreeMap<String, Long> classes) {
        CRC32 all = new CRC32();
        classes.forEach((name, crc) -> {
            all.update(name.getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 4; i++) {
                all.update((int) (crc >>> (8 * i)));
            }
        });
        return String.format("%08x", all.getValue());
    }

    private static Path location(Class<?> a) {
        try {
            return Path.of(a.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot locate the code of " + a.getName() + ": " + e.getMessage(), e);
        }
    }

    private static void fromJar(Path jar, Set<String> packages, TreeMap<String, Long> out) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> e = z.entries();
            while (e.hasMoreElements()) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                int slash = name.lastIndexOf('/');
                // the packages' own classes, not their subpackages'
                if (name.endsWith(".class") && slash >= 0 && packages.contains(name.substring(0, slash + 1))) {
                    out.put(name, entry.getCrc());
                }
            }
        }
    }

    private static void fromDirectory(Path root, String pkg, TreeMap<String, Long> out) throws IOException {
        Path dir = root.resolve(pkg);
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".class")).forEach(files::add);
        }
        for (Path f : files) {
            CRC32 crc = new CRC32();
            try (InputStream in = Files.newInputStream(f)) {
                crc.update(in.readAllBytes());
            }
            out.put(pkg + f.getFileName(), crc.getValue());
        }
    }
}
