package io.github.alpa4j.energy.model;

import io.github.alpa4j.energy.EnergyInputException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuSpecJsonTest {
    @Test
    void aWrittenGpuFileReadsBackAsTheSameGpu(@TempDir Path dir) {
        Path file = dir.resolve("h100.json");
        GpuSpecJson.write(file, GpuSpecJson.tree(GpuSpec.h100Sxm()));
        assertThat(GpuSpecJson.resolve(file.toString())).isEqualTo(GpuSpec.h100Sxm());
        try (var listing = Files.list(dir)) {
            assertThat(listing.toList()).as("no temporary file left beside it").containsExactly(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void presetsResolveByTheirShortNames() {
        assertThat(GpuSpecJson.resolve("a40")).isEqualTo(GpuSpec.a40());
        assertThat(GpuSpec.PRESETS).allSatisfy(name -> assertThat(GpuSpecJson.resolve(name).basis()).isNotBlank());
    }

    @Test
    void aMissingFieldIsNamed() {
        String json = GpuSpecJson.tree(GpuSpec.a40()).toString().replace("\"cap_w\"", "\"cap\"");
        assertThatThrownBy(() -> GpuSpecJson.parse(json, "g.json")).isInstanceOf(EnergyInputException.class)
                .hasMessage("GPU file g.json: missing number 'power_curve.cap_w'; see docs/energy-model.md");
    }

    @Test
    void anInconsistentGpuIsRefusedInOneLine() {
        String json = GpuSpecJson.tree(GpuSpec.a40()).toString().replace("\"knee_clock_mhz\":1174.1", "\"knee_clock_mhz\":1800");
        assertThatThrownBy(() -> GpuSpecJson.parse(json, "g.json")).isInstanceOf(EnergyInputException.class)
                .hasMessageContaining("the voltage knee (1800.0 MHz) must lie below the highest clock");
    }

    @Test
    void anUnknownNameListsThePresets() {
        assertThatThrownBy(() -> GpuSpecJson.resolve("b200")).isInstanceOf(EnergyInputException.class)
                .hasMessage("unknown GPU 'b200'; use one of [a100, a40, h100, v100] or a GPU file ending in .json (docs/energy-model.md)");
    }
}
