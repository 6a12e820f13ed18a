package io.github.alpa4j.engine.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorWarmUpTest {
    @Test
    void theWarmUpEndsOnlyWhenTheLastThreeStepsAgreeWithinFifteenPercent() {
        assertThat(Validator.settled(List.of(0.1, 0.1))).as("fewer than three steps").isFalse();
        // a cold JVM: interpreted, then compiled in the background, then steady
        assertThat(Validator.settled(List.of(0.9, 0.6, 0.25))).isFalse();
        assertThat(Validator.settled(List.of(0.9, 0.6, 0.25, 0.43, 0.08, 0.085))).isFalse();
        assertThat(Validator.settled(List.of(0.9, 0.6, 0.25, 0.43, 0.08, 0.085, 0.09))).isTrue();
        assertThat(Validator.settled(List.of(0.100, 0.114, 0.101))).as("within 15 %").isTrue();
        assertThat(Validator.settled(List.of(0.100, 0.116, 0.101))).isFalse();
    }
}
