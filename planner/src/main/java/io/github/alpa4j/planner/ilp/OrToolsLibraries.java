package io.github.alpa4j.planner.ilp;

import com.google.ortools.Loader;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Loads OR-Tools' native libraries, once per process. OR-Tools' own loader unpacks all of them (108
 * files, 67 MB: about half a second of a planning command) into a new temporary directory every time;
 * here they are unpacked once into a cache directory per OR-Tools version and platform, as JavaCPP
 * caches its presets' libraries, and loaded from there (the JNI library finds the others by its
 * {@code $ORIGIN} run path). Where the cache cannot be used, OR-Tools' loader runs as before.
 */
final class OrToolsLibraries {
    /** The folder of the libraries in OR-Tools' native jar, named as its own loader names it (by JNA's platform). */
    private static final String PREFIX = "ortools-" + Platform.RESOURCE_PREFIX;
    /** Written last into a complete cache directory. */
    private static final String COMPLETE = "complete";
    private static boolean loaded;

    private OrToolsLibraries() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            Path dir = cached(cacheRoot());
            System.load(dir.resolve(System.mapLibraryName("jniortools")).toString());
        } catch (IOException | URISyntaxException | RuntimeException | UnsatisfiedLinkError e) {
            Loader.loadNativeLibraries();
        }
        loaded = true;
    }

    /** $XDG_CACHE_HOME/alpa4j, or ~/.cache/alpa4j. */
    private static Path cacheRoot() {
        String cacheHome = System.getenv("XDG_CACHE_HOME");
        return (cacheHome != null && !cacheHome.isEmpty() ? Path.of(cacheHome) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("alpa4j");
    }

    /** The directory under {@code root} of this OR-Tools version's libraries, unpacked if it is not there yet. */
    static Path cached(Path root) throws IOException, URISyntaxException {
        String version = version();
        Path dir = root.resolve(PREFIX + "-" + version);
        if (Files.exists(dir.resolve(COMPLETE))) {
            return dir;
        }
        URL resource = OrToolsLibraries.class.getClassLoader().getResource(PREFIX + "/");
        if (resource == null) {
            throw new IOException("no OR-Tools libraries for " + PREFIX + " on the class path");
        }
        Files.createDirectories(root);
        // unpacked beside the cache and renamed into place at once: processes starting together do not see half a cache
        Path staging = Files.createTempDirectory(root, PREFIX + "-");
        try {
            URI uri = resource.toURI();
            if (uri.getScheme().equals("jar")) {
                try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                    copy(jar.getPath(PREFIX), staging);
                }
            } else {
                copy(Path.of(uri), staging);
            }
            Files.writeString(staging.resolve(COMPLETE), version + "\n");
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    throw e;
                }
                // another process put it in place first
            }
        } finally {
            delete(staging);
        }
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!Files.isDirectory(f)) {
                    Files.copy(f, to.resolve(f.getFileName().toString()));
                }
            }
        }
    }

    /** OR-Tools' version, from the Maven properties its native jar carries. */
    private static String version() throws IOException {
        String name = "META-INF/maven/com.google.ortools/" + PREFIX + "/pom.properties";
        try (InputStream in = OrToolsLibraries.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no " + name + " on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || !v.matches("[0-9A-Za-z._-]+")) {
                throw new IOException("no usable version in " + name);
            }
            return v;
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
