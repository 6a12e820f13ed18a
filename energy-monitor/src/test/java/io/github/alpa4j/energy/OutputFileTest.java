package io.github.alpa4j.energy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputFileTest {
    @Test
    void replacesTheWholeFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.json");
        Files.writeString(file, "an older and much longer content than the new one");
        OutputFile.write(file, "new");
        assertThat(Files.readString(file)).isEqualTo("new");
        try (var listing = Files.list(dir)) {
            assertThat(listing.toList()).containsExactly(file);
        }
    }

    @Test
    void aDirectoryThatIsNotThereIsAUserError(@TempDir Path dir) {
        assertThatThrownBy(() -> OutputFile.write(dir.resolve("missing/out.json"), "x"))
                .isInstanceOf(EnergyInputException.class).hasMessageEndingWith("its directory does not exist");
    }
}
