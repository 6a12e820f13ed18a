package io.github.alpa4j.engine.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.alpa4j.kernels.CpuKernels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeFingerprintTest {
    @TempDir
    Path dir;

    private static String digest(Path where) {
        TreeMap<String, Long> classes = new TreeMap<>();
        CodeFingerprint.collect(where, "a.b", classes);
        return CodeFingerprint.digest(classes);
    }

    private void classes(Path root, String x, String y) throws IOException {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/X.class"), x);
        Files.writeString(root.resolve("a/b/Y.class"), y);
        Files.writeString(root.resolve("a/b/c/Z.class"), "a subpackage: not counted");
        Files.writeString(root.resolve("a/b/notes.txt"), "not a class");
    }

    private Path jar(String name, String x, String y) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream f = Files.newOutputStream(jar); ZipOutputStream z = new ZipOutputStream(f)) {
            for (String[] e : new String[][] {{"a/b/X.class", x}, {"a/b/Y.class", y}, {"a/b/c/Z.class", "other"}, {"a/b/notes.txt", "z"}}) {
                z.putNextEntry(new ZipEntry(e[0]));
                z.write(e[1].getBytes());
                z.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aJarAndAFolderOfTheSameClassesAgreeAndAChangedClassDoesNot() throws IOException {
        Path folder = dir.resolve("classes");
        classes(folder, "one", "two");
        String fromFolder = digest(folder);
        assertThat(digest(jar("same.jar", "one", "two"))).isEqualTo(fromFolder);
        assertThat(digest(jar("changed.jar", "one", "two!"))).isNotEqualTo(fromFolder);
        Files.writeString(folder.resolve("a/b/c/Z.class"), "a subpackage changed");
        Files.writeString(folder.resolve("a/b/notes.txt"), "changed");
        assertThat(digest(folder)).as("only the package's own classes count").isEqualTo(fromFolder);
        Files.writeString(folder.resolve("a/b/Y.class"), "three");
        assertThat(digest(folder)).isNotEqualTo(fromFolder);
        Files.writeString(folder.resolve("a/b/Y.class"), "two");
        Files.move(folder.resolve("a/b/Y.class"), folder.resolve("a/b/W.class"));
        assertThat(digest(folder)).as("a renamed class").isNotEqualTo(fromFolder);
    }

    @Test
    void theRunningCodeHasAStableFingerprintThatTheProfileCacheRecords() {
        String a = CodeFingerprint.of(CpuKernels.class, Profiler.class);
        assertThat(a).matches("[0-9a-f]{8}").isEqualTo(CodeFingerprint.of(CpuKernels.class, Profiler.class));
        assertThat(CodeFingerprint.of(CpuKernels.class)).isNotEqualTo(a);
        assertThat(CpuProfile.fingerprint()).contains(" cores, Java ").matches(".*, code [0-9a-f]{8}$");
    }
}
