package io.github.alpa4j.energy.cli;

import io.github.alpa4j.energy.profile.Profile;

import java.nio.file.Path;

/** Where a frontier's time/energy profile comes from. */
public sealed interface ProfileSource permits ProfileSource.CsvFile, ProfileSource.Given {

    /** How reports name the source. */
    String description();

    /** A measured profile, {@code --profile FILE.csv}. */
    record CsvFile(Path path) implements ProfileSource {
        @Override
        public String description() {
            return path.toString();
        }
    }

    /** A profile already in memory, such as the energy model's prediction for {@code --model gpt}. */
    record Given(Profile profile, String description) implements ProfileSource {
    }
}
