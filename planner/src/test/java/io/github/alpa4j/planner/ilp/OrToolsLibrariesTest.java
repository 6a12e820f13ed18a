package io.github.alpa4j.planner.ilp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OR-Tools' libraries are unpacked into the cache once, complete, and found there the next time. */
class OrToolsLibrariesTest {
    @Test
    void unpacksOnceIntoAVersionedDirectoryAndReusesIt(@TempDir Path root) throws Exception {
        Path dir = OrToolsLibraries.cached(root);
        assertThat(dir.getParent()).isEqualTo(root);
        assertThat(dir.getFileName().toString()).startsWith("ortools-").matches(".*-\\d+\\.\\d+\\.\\d+$");
        assertThat(dir.resolve(System.mapLibraryName("jniortools"))).isRegularFile();
        assertThat(dir.resolve("complete")).isRegularFile();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("libortools")).count()).isEqualTo(1);
        }
        FileTime unpacked = Files.getLastModifiedTime(dir.resolve(System.mapLibraryName("jniortools")));
        assertThat(OrToolsLibraries.cached(root)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(dir.resolve(System.mapLibraryName("jniortools")))).isEqualTo(unpacked);
        try (Stream<Path> entries = Files.list(root)) {
            assertThat(entries.toList()).as("no staging directory left behind").containsExactly(dir);
        }
    }
}
