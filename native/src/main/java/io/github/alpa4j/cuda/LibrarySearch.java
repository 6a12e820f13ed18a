package io.github.alpa4j.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the system's shared libraries by file name, the way the dynamic loader would
 * (LD_LIBRARY_PATH, /etc/ld.so.conf, the default folders), and also in the usual CUDA install
 * folders that are not on the loader path, so {@code doctor} can say "found, but not on the
 * loader path" instead of "missing".
 */
final class LibrarySearch {

    /** Where a file was found: on the loader path, elsewhere, or nowhere. */
    record Found(String soname, Optional<Path> onLoaderPath, Optional<Path> elsewhere) {
        boolean present() {
            return onLoaderPath.isPresent();
        }
    }

    private static final List<String> DEFAULT_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
            "/usr/lib/wsl/lib");

    private final List<Path> loaderDirs;
    private final List<Path> extraDirs;

    LibrarySearch(List<Path> loaderDirs, List<Path> extraDirs) {
        this.loaderDirs = List.copyOf(loaderDirs);
        this.extraDirs = List.copyOf(extraDirs);
    }

    /** The search this machine's loader would do, plus the CUDA install folders. */
    static LibrarySearch system() {
        Map<String, String> env = System.getenv();
        Set<Path> loader = new LinkedHashSet<>();
        split(env.get("LD_LIBRARY_PATH")).forEach(loader::add);
        split(System.getProperty("java.library.path")).forEach(loader::add);
        loader.addAll(ldSoConfDirs(Path.of("/etc/ld.so.conf")));
        DEFAULT_DIRS.forEach(d -> loader.add(Path.of(d)));
        Set<Path> extra = new LinkedHashSet<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                extra.add(Path.of(home, "lib64"));
                extra.add(Path.of(home, "lib"));
            }
        }
        extra.add(Path.of("/usr/local/cuda/lib64"));
        extra.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        extra.addAll(glob(Path.of("/usr/local"), "cuda-*", "lib64"));
        return new LibrarySearch(new ArrayList<>(loader), new ArrayList<>(extra));
    }

    Found find(String soname) {
        return new Found(soname, firstIn(loaderDirs, soname), firstIn(extraDirs, soname));
    }

    private static Optional<Path> firstIn(List<Path> dirs, String soname) {
        for (Path d : dirs) {
            Path f = d.resolve(soname);
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static List<Path> split(String pathList) {
        List<Path> out = new ArrayList<>();
        if (pathList != null) {
            for (String s : pathList.split(":")) {
                if (!s.isBlank()) {
                    out.add(Path.of(s));
                }
            }
        }
        return out;
    }

    /** The folders an ld.so.conf lists, following its {@code include} lines (globs in the file name). */
    static List<Path> ldSoConfDirs(Path conf) {
        List<Path> out = new ArrayList<>();
        readConf(conf, out, 0);
        return out;
    }

    private static void readConf(Path conf, List<Path> out, int depth) {
        if (depth > 8 || !Files.isReadable(conf)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (String raw : lines) {
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("include ")) {
                String pattern = line.substring("include ".length()).strip();
                Path p = Path.of(pattern);
                Path dir = p.isAbsolute() ? p.getParent() : conf.getParent().resolve(p).getParent();
                for (Path inc : glob(dir, p.getFileName().toString(), null)) {
                    readConf(inc, out, depth + 1);
                }
            } else if (line.startsWith("/")) {
                out.add(Path.of(line));
            }
        }
    }

    /** Entries of {@code dir} matching {@code pattern}, sorted, each resolved against {@code child} when given. */
    private static List<Path> glob(Path dir, String pattern, String child) {
        List<Path> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            for (Path p : ds) {
                out.add(child == null ? p : p.resolve(child));
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
