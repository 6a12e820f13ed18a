package io.github.alpa4j.energy.profile;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The Perseus artifact files, read from the test classpath (src/test/resources/perseus). */
public final class PerseusData {
    public static final String A100 = "a100sxm_gpt3-175b_8stage_profile.csv";
    public static final String A40 = "a40_gpt3-175b_8stage_profile.csv";
    public static final String A100_FRONTIER_MB12 = "a100sxm_gpt3-175b_8stage_mb12_lowtime_frontier.csv";
    /** P_block the authors measured (REFERENCES.md §3). */
    public static final double A100_BLOCKING_WATTS = 83.64;
    public static final double A40_BLOCKING_WATTS = 70.38;

    private PerseusData() {
    }

    public static Reader reader(String name) {
        InputStream in = PerseusData.class.getResourceAsStream("/perseus/" + name);
        if (in == null) {
            throw new IllegalStateException("test resource /perseus/" + name + " is missing");
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    public static Profile profile(String name) {
        try (Reader reader = reader(name)) {
            return ProfileCsv.read(reader, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource into {@code directory}, for code that wants a file path. */
    public static Path copy(String name, Path directory) {
        try (InputStream in = PerseusData.class.getResourceAsStream("/perseus/" + name)) {
            Path file = directory.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
